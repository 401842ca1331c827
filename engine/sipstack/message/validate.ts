/**
 * Checks made once a message has been split into its parts: the mandatory
 * header fields (RFC 3261 §8.1.1), their syntax where a response depends on
 * it (§25.1), the SIP version (§8.2 / §21.5.25) and CSeq consistency (§8.1.1.5).
 * Header values are otherwise kept raw and parsed on demand.
 */
import { parseCSeq } from './cseq.js';
import { SipParseError } from './errors.js';
import { splitHeaderList } from './header-list.js';
import { parseNameAddr } from './name-addr.js';
import { SIP_VERSION, type SipRequest, type SipResponse } from './sip-message.js';
import type { SipHeaders } from './headers.js';
import { isToken } from './syntax.js';
import { parseUri } from './uri.js';
import { parseVia } from './via.js';

export interface ValidationFailure {
  status: number;
  reason: string;
}

/** Methods this stack knows (RFC 3261 and its extensions); others get 501 on a CSeq mismatch. */
const KNOWN_METHODS = new Set([
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY',
  'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE',
]);

const MAX_UINT32 = 0xffffffff;

function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** A decimal number of at most `max`, leading zeros allowed; NaN otherwise. */
function boundedNumber(text: string, max: number): number {
  if (!isDigits(text)) return NaN;
  const digits = text.replace(/^0+(?=\d)/, '');
  if (digits.length > 10) return NaN;
  const n = Number(digits);
  return n <= max ? n : NaN;
}

const bad = (reason: string): ValidationFailure => ({ status: 400, reason });

function describe(err: unknown): string {
  return err instanceof SipParseError ? err.message : String(err);
}

/** The single value of a header that must appear exactly once, or a failure. */
function single(headers: SipHeaders, name: string): string | ValidationFailure {
  const lines = headers.lines(name);
  if (lines.length === 0) return bad(`Missing ${name}`);
  if (lines.length > 1) return bad(`Multiple ${name} headers`);
  if (lines[0].length === 0) return bad(`Empty ${name}`);
  return lines[0];
}

function checkAddress(headers: SipHeaders, name: string): ValidationFailure | null {
  const value = single(headers, name);
  if (typeof value !== 'string') return value;
  try {
    parseUri(parseNameAddr(value).uri);
  } catch (err) {
    return bad(`Bad ${name}: ${describe(err)}`);
  }
  return null;
}

/** Checks shared by requests and responses: Via, From, To, Call-ID, CSeq. */
function checkCommon(headers: SipHeaders): ValidationFailure | { cseqMethod: string } {
  const vias = headers.values('via');
  if (vias.length === 0) return bad('Missing Via');
  try {
    // The top Via is where a response goes (§18.2.2); it must be readable.
    parseVia(vias[0]);
  } catch (err) {
    return bad(`Bad Via: ${describe(err)}`);
  }
  const from = checkAddress(headers, 'From');
  if (from) return from;
  const to = checkAddress(headers, 'To');
  if (to) return to;
  const callId = single(headers, 'Call-ID');
  if (typeof callId !== 'string') return callId;
  if (/\s/.test(callId)) return bad('Bad Call-ID');
  const cseq = single(headers, 'CSeq');
  if (typeof cseq !== 'string') return cseq;
  try {
    return { cseqMethod: parseCSeq(cseq).method };
  } catch (err) {
    return bad(describe(err));
  }
}

/** null when the request may go on to the transaction layer; otherwise the response to send. */
export function validateRequest(req: SipRequest): ValidationFailure | null {
  // §8.2 / §21.5.25: a version other than SIP/2.0 gets 505.
  if (req.version.toUpperCase() !== SIP_VERSION) return { status: 505, reason: 'Version Not Supported' };
  if (!isToken(req.method)) return bad('Bad method');
  try {
    // An unknown scheme parses; answering it (416) is the application's job (§8.2.2.1).
    parseUri(req.uri);
  } catch (err) {
    return bad(`Bad Request-URI: ${describe(err)}`);
  }
  const common = checkCommon(req.headers);
  if ('status' in common) return common;
  // §8.1.1.5: "The method MUST match that of the request." RFC 4475 §3.1.2.18:
  // for an unknown method the better answer is 501.
  if (common.cseqMethod !== req.method) {
    return KNOWN_METHODS.has(req.method) ? bad('CSeq method does not match') : { status: 501, reason: 'Not Implemented' };
  }
  // §20.22: Max-Forwards = 1*DIGIT, in practice 0..255 (RFC 4475 §3.1.2.5). A
  // missing one is tolerated, as many deployed elements do.
  const maxForwards = req.headers.lines('max-forwards');
  if (maxForwards.length > 1) return bad('Multiple Max-Forwards headers');
  if (maxForwards.length === 1 && Number.isNaN(boundedNumber(maxForwards[0], 255))) return bad('Bad Max-Forwards');
  // §20.19: Expires = delta-seconds, a 32-bit value (RFC 4475 §3.1.2.5).
  for (const expires of req.headers.lines('expires')) {
    if (Number.isNaN(boundedNumber(expires, MAX_UINT32))) return bad('Bad Expires');
  }
  // §20.10: Contact is "*" or a list of addresses, each with its parameters.
  for (const line of req.headers.lines('contact')) {
    if (line === '*') continue;
    try {
      for (const contact of splitHeaderList(line)) parseNameAddr(contact);
    } catch (err) {
      return bad(`Bad Contact: ${describe(err)}`);
    }
  }
  return null;
}

/**
 * null when the response may go on to the transaction layer. A failing
 * response is discarded (no response is ever sent to a response); the status
 * returned only classifies the failure.
 */
export function validateResponse(res: SipResponse): ValidationFailure | null {
  if (res.version.toUpperCase() !== SIP_VERSION) return { status: 505, reason: 'Version Not Supported' };
  // §7.2 / §21: Status-Code is three digits, 100 to 699.
  if (!Number.isInteger(res.status) || res.status < 100 || res.status > 699) return bad('Bad status code');
  const common = checkCommon(res.headers);
  return 'status' in common ? common : null;
}

/** Content-Length digits (§20.14), or NaN when not a non-negative decimal within `max`. */
export function parseContentLength(value: string, max: number): number {
  return boundedNumber(value.trim(), max);
}
