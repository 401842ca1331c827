/**
 * SIP and SIPS URIs (RFC 3261 §19.1), tel URIs (RFC 3966) and, opaquely, any
 * other absoluteURI (§25.1). Escaped characters (%XX) in the user, password,
 * parameters and headers are decoded on parsing and re-escaped on formatting.
 */
import { SipParseError } from './errors.js';
import { formatHost, parsePort, scanHost } from './host.js';
import { percentDecode, percentEncode, PASSWORD_SAFE, PARAM_SAFE, HEADER_SAFE, USER_SAFE } from './percent.js';

export interface SipUri {
  /** Lowercase: sip, sips, tel, ... */
  scheme: string;
  /** Unescaped user part (for tel: the number). */
  user?: string;
  /** Unescaped password. */
  password?: string;
  /** IPv6 without brackets; lowercase; empty for schemes without a host. */
  host: string;
  port?: number;
  /** uri-parameters: lowercase names, unescaped values, null for a parameter without value. */
  params: Map<string, string | null>;
  /** headers after '?': unescaped names and values. */
  headers: Map<string, string>;
  /** For schemes other than sip, sips and tel: everything after the ':' as written. */
  opaque?: string;
}

/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (§25.1). */
function isScheme(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const alpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (i === 0 ? !alpha : !(alpha || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e)) return false;
  }
  return true;
}

/** Whitespace, controls and the delimiters '<', '>', '"' never appear unescaped in a URI. */
function checkChars(text: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x3c || c === 0x3e || c === 0x22) {
      throw new SipParseError(`invalid character ${JSON.stringify(text[i])} in URI`);
    }
  }
}

function parseUriParams(text: string, params: Map<string, string | null>): void {
  if (text.length === 0) return;
  for (const part of text.split(';')) {
    if (part.length === 0) throw new SipParseError('empty URI parameter');
    const eq = part.indexOf('=');
    if (eq === 0) throw new SipParseError('URI parameter without a name');
    const name = percentDecode(eq < 0 ? part : part.slice(0, eq)).toLowerCase();
    params.set(name, eq < 0 ? null : percentDecode(part.slice(eq + 1)));
  }
}

function parseUriHeaders(text: string, headers: Map<string, string>): void {
  for (const part of text.split('&')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new SipParseError(`bad URI header '${part}'`);
    headers.set(percentDecode(part.slice(0, eq)), percentDecode(part.slice(eq + 1)));
  }
}

/** Parses a URI; throws SipParseError when it does not follow the grammar. */
export function parseUri(text: string): SipUri {
  const colon = text.indexOf(':');
  if (colon < 0) throw new SipParseError(`URI without a scheme: '${text}'`);
  const rawScheme = text.slice(0, colon);
  if (!isScheme(rawScheme)) throw new SipParseError(`bad URI scheme '${rawScheme}'`);
  const scheme = rawScheme.toLowerCase();
  const rest = text.slice(colon + 1);
  checkChars(rest);
  if (rest.length === 0) throw new SipParseError('empty URI after the scheme');
  const uri: SipUri = { scheme, host: '', params: new Map(), headers: new Map() };

  if (scheme === 'tel') {
    // RFC 3966 §3: telephone-subscriber followed by ;parameters.
    const semi = rest.indexOf(';');
    uri.user = percentDecode(semi < 0 ? rest : rest.slice(0, semi));
    if (uri.user.length === 0) throw new SipParseError('tel URI without a number');
    if (semi >= 0) parseUriParams(rest.slice(semi + 1), uri.params);
    return uri;
  }
  if (scheme !== 'sip' && scheme !== 'sips') {
    uri.opaque = rest;
    return uri;
  }

  // SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ] (§25.1).
  // '@' cannot appear unescaped after the userinfo, so the first one ends it.
  let i = 0;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const pw = userinfo.indexOf(':');
    uri.user = percentDecode(pw < 0 ? userinfo : userinfo.slice(0, pw));
    if (pw >= 0) uri.password = percentDecode(userinfo.slice(pw + 1));
    if (uri.user.length === 0) throw new SipParseError('empty user part in URI');
    i = at + 1;
  }
  const { host, end } = scanHost(rest, i);
  uri.host = host;
  i = end;
  if (i < rest.length && rest.charCodeAt(i) === 0x3a) {
    let j = i + 1;
    while (j < rest.length && rest.charCodeAt(j) >= 0x30 && rest.charCodeAt(j) <= 0x39) j++;
    uri.port = parsePort(rest.slice(i + 1, j));
    i = j;
  }
  const q = rest.indexOf('?', i);
  const paramsEnd = q < 0 ? rest.length : q;
  if (i < paramsEnd) {
    if (rest.charCodeAt(i) !== 0x3b) throw new SipParseError(`unexpected '${rest[i]}' after the host in URI`);
    parseUriParams(rest.slice(i + 1, paramsEnd), uri.params);
  }
  if (q >= 0) parseUriHeaders(rest.slice(q + 1), uri.headers);
  return uri;
}

/** Writes a URI back, escaping what must be escaped and bracketing IPv6 addresses. */
export function formatUri(uri: SipUri): string {
  if (uri.opaque !== undefined) return `${uri.scheme}:${uri.opaque}`;
  let out = `${uri.scheme}:`;
  if (uri.scheme === 'tel') {
    out += percentEncode(uri.user ?? '', USER_SAFE);
  } else {
    if (uri.user !== undefined) {
      out += percentEncode(uri.user, USER_SAFE);
      if (uri.password !== undefined) out += `:${percentEncode(uri.password, PASSWORD_SAFE)}`;
      out += '@';
    }
    out += formatHost(uri.host);
    if (uri.port !== undefined) out += `:${uri.port}`;
  }
  for (const [name, value] of uri.params) {
    out += `;${percentEncode(name, PARAM_SAFE)}`;
    if (value !== null) out += `=${percentEncode(value, PARAM_SAFE)}`;
  }
  let sep = '?';
  for (const [name, value] of uri.headers) {
    out += `${sep}${percentEncode(name, HEADER_SAFE)}=${percentEncode(value, HEADER_SAFE)}`;
    sep = '&';
  }
  return out;
}

/**
 * URI parameters that make two URIs differ when only one of them has it
 * (RFC 3261 §19.1.4: user, ttl, method, maddr, transport).
 */
const SIGNIFICANT_PARAMS = ['user', 'ttl', 'method', 'maddr', 'transport'];

function sameValue(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return a.toLowerCase() === b.toLowerCase();
}

/** URI comparison per RFC 3261 §19.1.4. */
export function uriEquals(a: SipUri, b: SipUri): boolean {
  // "A SIP and SIPS URI are never equivalent"; schemes compare case-insensitively.
  if (a.scheme !== b.scheme) return false;
  if (a.opaque !== undefined || b.opaque !== undefined) return a.opaque === b.opaque;
  // "Comparison of the userinfo of SIP and SIPS URIs is case-sensitive", after unescaping.
  if (a.user !== b.user || a.password !== b.password) return false;
  // "Comparison of all other components of the URI is case-insensitive."
  if (a.host !== b.host) return false;
  // "A URI omitting any component with a default value will not match a URI
  // explicitly containing that component with its default value."
  if (a.port !== b.port) return false;
  for (const name of SIGNIFICANT_PARAMS) {
    if (a.params.has(name) !== b.params.has(name)) return false;
  }
  // "Any uri-parameter appearing in both URIs must match"; others are ignored.
  for (const [name, value] of a.params) {
    if (b.params.has(name) && !sameValue(value, b.params.get(name) ?? null)) return false;
  }
  // "URI header components are never ignored": the same set, matching values.
  if (a.headers.size !== b.headers.size) return false;
  const bHeaders = new Map<string, string>();
  for (const [name, value] of b.headers) bHeaders.set(name.toLowerCase(), value);
  for (const [name, value] of a.headers) {
    if (bHeaders.get(name.toLowerCase()) !== value) return false;
  }
  return true;
}
