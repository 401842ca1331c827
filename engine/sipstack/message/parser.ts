/**
 * Turning bytes into a SipMessage (RFC 3261 §7, §18.3, §25). The header
 * section is decoded as UTF-8 and split with indexOf; values are stored raw
 * (unfolded and trimmed) in SipHeaders and parsed on demand. Never throws:
 * every failure is an outcome saying whether, and with what status, a
 * response is due.
 */
import { findHeaderEnd, leadingLineBreaks } from './boundary.js';
import { SipHeaders } from './headers.js';
import { SipRequest, SipResponse, type SipMessage } from './sip-message.js';
import { isToken, trimLws } from './syntax.js';
import { parseContentLength, validateRequest, validateResponse } from './validate.js';

export interface ParseOptions {
  /** Header fields allowed in one message (default 100). */
  maxHeaders?: number;
  /** Bytes allowed in one message (default 65535). */
  maxBytes?: number;
  /**
   * The bytes are one UDP datagram: without Content-Length the body is the
   * rest of the datagram (§18.3). Otherwise (the default) they are one message
   * cut from a stream, where Content-Length is mandatory (§20.14).
   */
  datagram?: boolean;
  /**
   * Check the request or response against RFC 3261's rules (mandatory
   * headers, CSeq, version). Default true; false for the partial messages
   * applications hand the server to complete.
   */
  validate?: boolean;
}

export type ParseOutcome =
  | { ok: true; message: SipMessage }
  | {
      ok: false;
      error: string;
      /** The request as far as it could be read, when a response can be sent. */
      request?: SipRequest;
      /** The response status the RFC asks for (400, 505, 501, 513, ...). */
      status?: number;
      /** True when no response must be sent. */
      drop?: boolean;
    };

export const DEFAULT_MAX_HEADERS = 100;
export const DEFAULT_MAX_BYTES = 65535;

type StartLine =
  | { kind: 'request'; method: string; uri: string; version: string; error?: string }
  | { kind: 'response'; version: string; status: number; reason: string; error?: string }
  | { kind: 'garbage'; error: string };

/** SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (§25.1; "SIP" is case-insensitive). */
function isSipVersion(text: string): boolean {
  if (text.length < 7 || text.slice(0, 4).toUpperCase() !== 'SIP/') return false;
  const dot = text.indexOf('.', 4);
  if (dot <= 4 || dot === text.length - 1) return false;
  for (let i = 4; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (i !== dot && (c < 0x30 || c > 0x39)) return false;
  }
  return true;
}

function parseStartLine(raw: string): StartLine {
  // Trailing white space (RFC 4475 §3.1.2.12) and extra spaces between the
  // elements (§3.1.2.11) are tolerated; white space inside the
  // Request-URI (§3.1.2.10) is not.
  const line = trimLws(raw);
  if (line.slice(0, 4).toUpperCase() === 'SIP/') {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (§7.2).
    const sp1 = line.indexOf(' ');
    if (sp1 < 0) return { kind: 'garbage', error: 'status line without a status code' };
    const version = line.slice(0, sp1);
    const rest = line.slice(sp1 + 1).trimStart();
    const sp2 = rest.indexOf(' ');
    const code = sp2 < 0 ? rest : rest.slice(0, sp2);
    const reason = sp2 < 0 ? '' : rest.slice(sp2 + 1);
    const status = /^[1-6][0-9][0-9]$/.test(code) ? Number(code) : NaN;
    const response = { kind: 'response' as const, version, status, reason };
    if (!isSipVersion(version)) return { ...response, error: `bad SIP version '${version}'` };
    if (Number.isNaN(status)) return { ...response, error: `bad status code '${code}'` };
    return response;
  }
  // Request-Line = Method SP Request-URI SP SIP-Version (§7.1).
  const sp1 = line.indexOf(' ');
  const sp2 = line.lastIndexOf(' ');
  const method = sp1 < 0 ? line : line.slice(0, sp1);
  if (!isToken(method)) return { kind: 'garbage', error: 'bad start line' };
  if (sp1 < 0 || sp2 === sp1) return { kind: 'request', method, uri: '', version: '', error: 'incomplete request line' };
  const uri = line.slice(sp1 + 1, sp2).trim();
  const version = line.slice(sp2 + 1);
  const request = { kind: 'request' as const, method, uri, version };
  if (!isSipVersion(version)) return { ...request, error: `bad SIP version '${version}'` };
  if (uri.length === 0 || /\s/.test(uri)) return { ...request, error: 'white space in Request-URI' };
  return request;
}

interface HeaderParse {
  headers: SipHeaders;
  error?: string;
  tooMany?: boolean;
}

/**
 * Header lines after the start line. A line starting with SP or HTAB
 * continues the previous one (§7.3.1: folding is replaced by a single SP).
 * Names may be followed by white space before the colon (§7.3.1).
 */
function parseHeaderLines(lines: string[], maxHeaders: number): HeaderParse {
  const headers = new SipHeaders();
  let error: string | undefined;
  let name: string | undefined;
  // The pieces of the current field's value, one per (folded) line.
  let parts: string[] = [];
  let count = 0;
  const flush = (): void => {
    if (name !== undefined) headers.append(name, parts.length === 1 ? parts[0] : parts.filter((p) => p.length > 0).join(' '));
    name = undefined;
  };
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n];
    const first = line.charCodeAt(0);
    if (first === 0x20 || first === 0x09) {
      if (name === undefined) {
        error ??= 'continuation line without a header';
        continue;
      }
      parts.push(trimLws(line));
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    const fieldName = colon < 0 ? '' : trimLws(line.slice(0, colon));
    if (!isToken(fieldName)) {
      error ??= `malformed header line ${JSON.stringify(line.slice(0, 60))}`;
      continue;
    }
    if (++count > maxHeaders) return { headers, error: `more than ${maxHeaders} header fields`, tooMany: true };
    name = fieldName;
    parts = [trimLws(line.slice(colon + 1))];
  }
  flush();
  return { headers, error };
}

/** Splits the header section into lines, dropping the CR of CRLF endings. */
function splitLines(head: string): string[] {
  const lines = head.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.charCodeAt(l.length - 1) === 0x0d) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/**
 * Whether a response can be sent at all: it needs the request's Via (§8.2.6.2,
 * §18.2.2). A Via that does not parse still allows answering to the packet's
 * source (RFC 4475 §3.1.2.1 expects a 400 in that case).
 */
function hasVia(headers: SipHeaders): boolean {
  return headers.lines('via').some((v) => v.length > 0);
}

function failRequest(start: StartLine, headers: SipHeaders, status: number, error: string): ParseOutcome {
  if (start.kind !== 'request' || !hasVia(headers)) return { ok: false, error, drop: true };
  return { ok: false, error, status, request: new SipRequest(start.method, start.uri, headers, Buffer.alloc(0), start.version) };
}

function parse(data: Buffer, opts: ParseOptions): ParseOutcome {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxHeaders = opts.maxHeaders ?? DEFAULT_MAX_HEADERS;
  // §7.5: "Implementations processing SIP messages over stream-oriented
  // transports MUST ignore any CRLF appearing before the start-line".
  const begin = leadingLineBreaks(data, 0);
  if (begin === data.length) return { ok: false, error: 'empty message', drop: true };
  const oversized = data.length > maxBytes;
  // Only the first maxBytes are read from an oversized message, enough to answer it.
  const limit = oversized ? maxBytes : data.length;
  const boundary = findHeaderEnd(data, begin, limit);
  const headEnd = boundary ? boundary.headEnd : limit;
  const lines = splitLines(data.toString('utf8', begin, headEnd));
  if (!boundary && lines.length > 1) lines.pop(); // a header line possibly cut short
  const start = parseStartLine(lines[0]);
  const parsed = parseHeaderLines(lines, maxHeaders);
  const headers = parsed.headers;

  if (start.kind !== 'request') {
    // §7.2 / RFC 4475 §3.1.2.19: nothing is ever sent back for a bad response.
    const error = start.error ?? parsed.error ?? (oversized ? 'message too large' : undefined);
    if (error) return { ok: false, error, drop: true };
  }
  if (oversized) return failRequest(start, headers, 513, `message larger than ${maxBytes} bytes`);
  if (parsed.tooMany) return failRequest(start, headers, 513, parsed.error ?? 'too many header fields');
  if (start.error) return failRequest(start, headers, 400, start.error);
  if (parsed.error) return failRequest(start, headers, 400, parsed.error);
  if (!boundary) return failRequest(start, headers, 400, 'no empty line after the header fields');

  // Body: §18.3 (datagrams) and §20.14 (Content-Length).
  const available = data.length - boundary.bodyStart;
  let bodyLength = available;
  const lengths = headers.lines('content-length');
  if (lengths.length > 0) {
    // RFC 4475 §3.3.12: with conflicting lengths there is no way to know where
    // the body ends; the message is discarded.
    if (lengths.some((l) => l.trim() !== lengths[0].trim())) {
      return { ok: false, error: 'conflicting Content-Length headers', drop: true };
    }
    const declared = parseContentLength(lengths[0], maxBytes);
    if (Number.isNaN(declared)) return failRequest(start, headers, 400, `bad Content-Length '${lengths[0]}'`);
    // §18.3: "If the transport packet ends before the end of the message body,
    // this is considered an error. If the message is a response, it MUST be
    // discarded. If the message is a request, the element SHOULD generate a
    // 400 (Bad Request) response." Extra octets past the body are discarded.
    if (declared > available) {
      if (start.kind === 'response') return { ok: false, error: 'body shorter than Content-Length', drop: true };
      return failRequest(start, headers, 400, 'body shorter than Content-Length');
    }
    bodyLength = declared;
  } else if (!opts.datagram) {
    // §20.14: over a stream-based transport "the header field MUST be used";
    // without it the end of the message cannot be known.
    return failRequest(start, headers, 400, 'missing Content-Length on a stream transport');
  }
  const body = Buffer.from(data.subarray(boundary.bodyStart, boundary.bodyStart + bodyLength));

  if (start.kind === 'response') {
    const message = new SipResponse(start.status, start.reason, headers, body, start.version);
    if (opts.validate === false) return { ok: true, message };
    const failure = validateResponse(message);
    return failure ? { ok: false, error: failure.reason, drop: true } : { ok: true, message };
  }
  if (start.kind !== 'request') return { ok: false, error: start.error, drop: true };
  const message = new SipRequest(start.method, start.uri, headers, body, start.version);
  if (opts.validate === false) return { ok: true, message };
  const failure = validateRequest(message);
  if (!failure) return { ok: true, message };
  if (!hasVia(headers)) return { ok: false, error: failure.reason, drop: true };
  return { ok: false, error: failure.reason, status: failure.status, request: message };
}

/** Parses one message (a datagram, or one message cut from a stream by StreamFramer). */
export function parseMessage(data: Buffer, opts: ParseOptions = {}): ParseOutcome {
  try {
    return parse(data, opts);
  } catch (err) {
    // Not expected: the steps above report failures as outcomes. Kept so that
    // a defect never takes the transport down.
    return { ok: false, error: `internal: ${err instanceof Error ? err.message : String(err)}`, drop: true };
  }
}
