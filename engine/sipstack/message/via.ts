/**
 * One Via header element (RFC 3261 §20.42, §25.1):
 * via-parm = sent-protocol LWS sent-by *( SEMI via-params ), where
 * sent-protocol = protocol-name SLASH protocol-version SLASH transport and
 * SLASH, COLON and SEMI allow white space around them (RFC 4475 §3.1.1.1).
 */
import { SipParseError } from './errors.js';
import { formatHost, parsePort, scanHost } from './host.js';
import { formatParams, isWs, parseParams, scanToken, skipWs } from './syntax.js';

export interface Via {
  /** protocol-name "/" protocol-version, normally SIP/2.0. */
  protocol: string;
  /** Uppercase: UDP, TCP, TLS, WS, WSS, SCTP or any other token. */
  transport: string;
  /** IPv6 without brackets. */
  host: string;
  port?: number;
  /** Lowercase names; values as written; null for a parameter without value. */
  params: Map<string, string | null>;
}

function expectToken(text: string, i: number, what: string): [string, number] {
  const end = scanToken(text, i);
  if (end === i) throw new SipParseError(`Via: missing ${what}`);
  return [text.slice(i, end), end];
}

function expectChar(text: string, i: number, code: number): number {
  i = skipWs(text, i);
  if (text.charCodeAt(i) !== code) throw new SipParseError(`Via: expected '${String.fromCharCode(code)}'`);
  return skipWs(text, i + 1);
}

/** Parses one via-parm (callers split the header at commas first). */
export function parseVia(value: string): Via {
  let i = skipWs(value, 0);
  const [name, a] = expectToken(value, i, 'protocol name');
  i = expectChar(value, a, 0x2f);
  const [version, b] = expectToken(value, i, 'protocol version');
  i = expectChar(value, b, 0x2f);
  const [transport, c] = expectToken(value, i, 'transport');
  i = c;
  if (i >= value.length || !isWs(value.charCodeAt(i))) throw new SipParseError('Via: missing sent-by');
  i = skipWs(value, i);
  const { host, end } = scanHost(value, i);
  i = skipWs(value, end);
  let port: number | undefined;
  if (value.charCodeAt(i) === 0x3a) {
    i = skipWs(value, i + 1);
    let j = i;
    while (j < value.length && value.charCodeAt(j) >= 0x30 && value.charCodeAt(j) <= 0x39) j++;
    port = parsePort(value.slice(i, j));
    i = j;
  }
  const params = new Map<string, string | null>();
  parseParams(value, i, params);
  return { protocol: `${name.toUpperCase()}/${version}`, transport: transport.toUpperCase(), host, port, params };
}

export function formatVia(v: Via): string {
  const port = v.port === undefined ? '' : `:${v.port}`;
  return `${v.protocol}/${v.transport} ${formatHost(v.host)}${port}${formatParams(v.params)}`;
}

/** The branch parameter (§8.1.1.7), or undefined when absent or empty. */
export function viaBranch(v: Via): string | undefined {
  return v.params.get('branch') ?? undefined;
}

/**
 * The rport parameter (RFC 3581 §3): true when present without a value (a
 * request asking for it), the port number when filled in, undefined when absent.
 */
export function viaRport(v: Via): number | true | undefined {
  if (!v.params.has('rport')) return undefined;
  const value = v.params.get('rport');
  if (value === null || value === undefined) return true;
  const port = Number(value);
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : true;
}
