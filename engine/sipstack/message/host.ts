/**
 * host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1). IPv6
 * references are returned without their brackets; hostnames are lowercased
 * since they compare case-insensitively (§19.1.4).
 */
import { SipParseError } from './errors.js';

function isHostnameChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x2d || // '-'
    code === 0x2e || // '.'
    code === 0x5f // '_' is not in the grammar but common in the wild; accepted
  );
}

function isIpv6Char(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x46) ||
    (code >= 0x61 && code <= 0x66) ||
    code === 0x3a ||
    code === 0x2e
  );
}

/** Scans a host starting at `i`; returns it (unbracketed, lowercase) and the index after it. */
export function scanHost(text: string, i: number): { host: string; end: number } {
  if (text.charCodeAt(i) === 0x5b) {
    const close = text.indexOf(']', i + 1);
    if (close < 0) throw new SipParseError('unterminated IPv6 reference');
    const addr = text.slice(i + 1, close);
    if (addr.length < 2 || addr.indexOf(':') < 0) throw new SipParseError(`bad IPv6 reference '[${addr}]'`);
    for (let j = 0; j < addr.length; j++) {
      if (!isIpv6Char(addr.charCodeAt(j))) throw new SipParseError(`bad IPv6 reference '[${addr}]'`);
    }
    return { host: addr.toLowerCase(), end: close + 1 };
  }
  let j = i;
  while (j < text.length && isHostnameChar(text.charCodeAt(j))) j++;
  if (j === i) throw new SipParseError('missing host');
  return { host: text.slice(i, j).toLowerCase(), end: j };
}

/** port = 1*DIGIT, limited to 0..65535. */
export function parsePort(digits: string): number {
  if (digits.length === 0 || digits.length > 5) throw new SipParseError(`bad port '${digits}'`);
  for (let j = 0; j < digits.length; j++) {
    const c = digits.charCodeAt(j);
    if (c < 0x30 || c > 0x39) throw new SipParseError(`bad port '${digits}'`);
  }
  const port = Number(digits);
  if (port > 65535) throw new SipParseError(`bad port '${digits}'`);
  return port;
}

/** The host as written in a URI or Via: IPv6 addresses in brackets. */
export function formatHost(host: string): string {
  return host.indexOf(':') >= 0 ? `[${host}]` : host;
}
