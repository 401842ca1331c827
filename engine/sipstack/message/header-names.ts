/**
 * Header names: RFC 3261 §7.3.3 compact forms, and the canonical spelling used
 * when serializing. Names compare case-insensitively (§7.3.1).
 */

const COMPACT: Readonly<Record<string, string>> = {
  i: 'Call-ID',
  m: 'Contact',
  e: 'Content-Encoding',
  l: 'Content-Length',
  c: 'Content-Type',
  f: 'From',
  s: 'Subject',
  k: 'Supported',
  t: 'To',
  v: 'Via',
  o: 'Event',
  r: 'Refer-To',
  b: 'Referred-By',
  u: 'Allow-Events',
  x: 'Session-Expires',
  a: 'Accept-Contact',
  j: 'Reject-Contact',
  d: 'Request-Disposition',
  y: 'Identity',
};

const CANONICAL = new Map<string, string>(
  [
    'Accept', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow', 'Allow-Events',
    'Authentication-Info', 'Authorization', 'Call-ID', 'Call-Info', 'Contact', 'Content-Disposition',
    'Content-Encoding', 'Content-Language', 'Content-Length', 'Content-Type', 'CSeq', 'Date',
    'Error-Info', 'Event', 'Expires', 'From', 'In-Reply-To', 'Max-Forwards', 'Min-Expires', 'Min-SE',
    'MIME-Version', 'Organization', 'P-Asserted-Identity', 'Priority', 'Proxy-Authenticate',
    'Proxy-Authorization', 'Proxy-Require', 'RAck', 'Reason', 'Record-Route', 'Refer-To', 'Referred-By',
    'Reply-To', 'Require', 'Retry-After', 'Route', 'RSeq', 'Server', 'Session-Expires', 'SIP-ETag',
    'SIP-If-Match', 'Subject', 'Subscription-State', 'Supported', 'Timestamp', 'To', 'Unsupported',
    'User-Agent', 'Via', 'Warning', 'WWW-Authenticate',
  ].map((n) => [n.toLowerCase(), n]),
);

/**
 * Headers whose values are comma-separated lists (RFC 3261 §7.3.1: the
 * grammar is `header = name : value *("," value)`), so that several header
 * lines and one line with commas mean the same thing.
 */
const MULTI_VALUE = new Set<string>([
  'via', 'route', 'record-route', 'contact', 'allow', 'supported', 'require', 'proxy-require',
  'unsupported', 'accept', 'accept-encoding', 'accept-language', 'allow-events', 'content-encoding',
  'content-language', 'in-reply-to', 'alert-info', 'call-info', 'error-info', 'warning', 'reason',
  'p-asserted-identity',
]);

/** The lowercase long form of a header name, expanding compact forms. */
export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  return lower.length === 1 ? (COMPACT[lower]?.toLowerCase() ?? lower) : lower;
}

/** The spelling used on the wire for a header name. */
export function canonicalHeaderName(name: string): string {
  const key = headerKey(name);
  const known = CANONICAL.get(key);
  if (known) return known;
  return key.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
}

export function isMultiValueHeader(name: string): boolean {
  return MULTI_VALUE.has(headerKey(name));
}

/**
 * The name written when serializing: the canonical spelling of a known header
 * (compact forms expanded), otherwise the name as the application gave it.
 */
export function wireHeaderName(name: string): string {
  const key = headerKey(name);
  return CANONICAL.get(key) ?? (name.length === 1 ? canonicalHeaderName(name) : name);
}
