/**
 * HTTP caching rules the media cache follows, from RFC 9111 (HTTP Caching),
 * as they apply to a private cache of audio files.
 */

/** The response headers that decide freshness and revalidation, as stored with an entry. */
export interface CachePolicyHeaders {
  etag?: string;
  lastModified?: string;
  cacheControl?: string;
  expires?: string;
  date?: string;
  age?: string;
}

export function pickPolicyHeaders(get: (name: string) => string | undefined): CachePolicyHeaders {
  const h: CachePolicyHeaders = {
    etag: get('etag'),
    lastModified: get('last-modified'),
    cacheControl: get('cache-control'),
    expires: get('expires'),
    date: get('date'),
    age: get('age'),
  };
  for (const k of Object.keys(h) as Array<keyof CachePolicyHeaders>) if (h[k] === undefined) delete h[k];
  return h;
}

/**
 * RFC 9111 section 4.3.4: on 304 Not Modified the cache updates the stored
 * response with the header fields the 304 carries.
 */
export function mergePolicyHeaders(stored: CachePolicyHeaders, fresh: CachePolicyHeaders): CachePolicyHeaders {
  return { ...stored, ...fresh };
}

/** Directives of a Cache-Control header (RFC 9111 section 5.2), lower-cased names. */
export function parseCacheControl(value: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!value) return out;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name === '') continue;
    const raw = eq < 0 ? '' : part.slice(eq + 1).trim();
    out.set(name, raw.replace(/^"(.*)"$/, '$1'));
  }
  return out;
}

function deltaSeconds(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value)) return null;
  return Number(value);
}

export interface Freshness {
  /** RFC 9111 section 3: no-store forbids keeping the response at all. */
  storable: boolean;
  /** How long the response is fresh from the moment it was generated, ms. */
  lifetimeMs: number;
  /** Age the response already had when received (Age header, section 5.1), ms. */
  initialAgeMs: number;
}

/**
 * Freshness lifetime per RFC 9111 section 4.2.1: max-age, else Expires
 * minus Date; with neither, a heuristic lifetime (section 4.2.2), here the
 * configured default. no-cache means "store, but revalidate every time".
 */
export function computeFreshness(h: CachePolicyHeaders, defaultTtlMs: number, receivedAt: number): Freshness {
  const cc = parseCacheControl(h.cacheControl);
  const initialAgeMs = (deltaSeconds(h.age) ?? 0) * 1000;
  if (cc.has('no-store')) return { storable: false, lifetimeMs: 0, initialAgeMs };
  if (cc.has('no-cache')) return { storable: true, lifetimeMs: 0, initialAgeMs };
  const maxAge = deltaSeconds(cc.get('max-age'));
  if (maxAge !== null) return { storable: true, lifetimeMs: maxAge * 1000, initialAgeMs };
  if (h.expires !== undefined) {
    // An invalid Expires (e.g. "0") means already expired (section 5.3).
    const expires = Date.parse(h.expires);
    const date = h.date !== undefined ? Date.parse(h.date) : NaN;
    if (Number.isNaN(expires)) return { storable: true, lifetimeMs: 0, initialAgeMs };
    const base = Number.isNaN(date) ? receivedAt : date;
    return { storable: true, lifetimeMs: Math.max(0, expires - base), initialAgeMs };
  }
  return { storable: true, lifetimeMs: defaultTtlMs, initialAgeMs };
}

/** Request headers that turn a refetch into a revalidation (RFC 9110 section 13.1). */
export function conditionalHeaders(h: CachePolicyHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  if (h.etag !== undefined) out['if-none-match'] = h.etag;
  if (h.lastModified !== undefined) out['if-modified-since'] = h.lastModified;
  return out;
}
