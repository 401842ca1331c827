import { describe, expect, it } from 'vitest';
import { computeFreshness, conditionalHeaders, mergePolicyHeaders, parseCacheControl } from '../../../media/http-freshness.js';

const TTL = 300_000;
const now = Date.parse('Wed, 01 Jan 2025 12:00:00 GMT');

describe('HTTP freshness (RFC 9111)', () => {
  it('max-age wins over Expires, and Age is the age already spent', () => {
    const f = computeFreshness({ cacheControl: 'public, max-age=120', expires: 'Wed, 01 Jan 2025 13:00:00 GMT', age: '20' }, TTL, now);
    expect(f).toEqual({ storable: true, lifetimeMs: 120_000, initialAgeMs: 20_000 });
  });

  it('Expires minus Date, or minus the receive time without Date; invalid Expires is already stale', () => {
    expect(computeFreshness({ expires: 'Wed, 01 Jan 2025 12:10:00 GMT', date: 'Wed, 01 Jan 2025 12:05:00 GMT' }, TTL, now).lifetimeMs).toBe(300_000);
    expect(computeFreshness({ expires: 'Wed, 01 Jan 2025 12:01:00 GMT' }, TTL, now).lifetimeMs).toBe(60_000);
    expect(computeFreshness({ expires: '0' }, TTL, now).lifetimeMs).toBe(0);
  });

  it('no-cache revalidates every time, no-store is not kept, nothing at all uses the default', () => {
    expect(computeFreshness({ cacheControl: 'no-cache' }, TTL, now)).toMatchObject({ storable: true, lifetimeMs: 0 });
    expect(computeFreshness({ cacheControl: 'private, no-store' }, TTL, now)).toMatchObject({ storable: false });
    expect(computeFreshness({}, TTL, now).lifetimeMs).toBe(TTL);
    expect(computeFreshness({ cacheControl: 'max-age=abc' }, TTL, now).lifetimeMs).toBe(TTL);
  });

  it('parses directives case-insensitively with quoted values', () => {
    const cc = parseCacheControl('Max-Age=60, no-cache="set-cookie" ,,');
    expect(cc.get('max-age')).toBe('60');
    expect(cc.get('no-cache')).toBe('set-cookie');
  });

  it('conditional headers from validators; a 304 updates the stored ones', () => {
    expect(conditionalHeaders({ etag: 'W/"1"', lastModified: 'x' })).toEqual({ 'if-none-match': 'W/"1"', 'if-modified-since': 'x' });
    expect(conditionalHeaders({})).toEqual({});
    expect(mergePolicyHeaders({ etag: '"1"', cacheControl: 'max-age=1' }, { cacheControl: 'max-age=9' })).toEqual({
      etag: '"1"',
      cacheControl: 'max-age=9',
    });
  });
});
