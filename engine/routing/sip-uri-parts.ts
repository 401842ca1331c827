/** The parts of a SIP URI that routing needs. */
export interface UriParts {
  scheme: 'sip' | 'sips' | 'tel';
  /** Unescaped user part without user parameters or password; absent when the URI has none. */
  user?: string;
  /** Lower-cased host (IPv6 without brackets); absent for tel: URIs. */
  host?: string;
}

function unescape(value: string): string {
  try {
    // RFC 3261 19.1.4: an escaped character in the user part equals its unescaped form.
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Reads the user and host of a Request-URI or of a To/From header value
 * (name-addr `"Bob" <sip:bob@host>;tag=1` or addr-spec `sip:bob@host`).
 * Returns undefined for anything that is not a sip:, sips: or tel: URI.
 */
export function sipUriParts(value: string): UriParts | undefined {
  let uri = value.trim();
  const open = uri.indexOf('<');
  if (open !== -1) {
    const close = uri.indexOf('>', open);
    if (close === -1) return undefined;
    uri = uri.slice(open + 1, close).trim();
  }
  const match = /^(sips?|tel):(.*)$/i.exec(uri);
  if (!match) return undefined;
  const scheme = (match[1] ?? '').toLowerCase() as UriParts['scheme'];
  const rest = match[2] ?? '';
  if (scheme === 'tel') {
    // RFC 3966 3: the number, then parameters after ';'.
    const number = rest.split(';')[0] ?? '';
    return number === '' ? undefined : { scheme, user: unescape(number) };
  }
  // RFC 3261 19.1.1: sip:user:password@host:port;uri-parameters?headers
  // '@' may not appear unescaped after the userinfo (19.1.1 grammar), so the first one ends it.
  const at = rest.indexOf('@');
  const userinfo = at === -1 ? undefined : rest.slice(0, at);
  const hostport = at === -1 ? rest : rest.slice(at + 1);
  let host: string;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end === -1) return undefined;
    host = hostport.slice(1, end);
  } else {
    host = hostport.split(/[:;?]/)[0] ?? '';
  }
  if (host === '') return undefined;
  const user = userinfo === undefined ? undefined : unescape((userinfo.split(':')[0] ?? '').split(';')[0] ?? '');
  return { scheme, user: user === '' ? undefined : user, host: host.toLowerCase() };
}
