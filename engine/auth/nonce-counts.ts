/**
 * Replay protection for digest nonces (RFC 7616 §3.4: the server checks that
 * the nonce-count of each request with the same nonce is greater than the
 * last). Counts are kept in a map of bounded size, least recently used first.
 *
 * When the map is full the least recently used nonce is evicted, and the
 * issue time of everything evicted is remembered as a floor: a nonce issued
 * at or before the floor that is no longer in the map may have been used
 * already, so it is treated as stale (the client gets a fresh nonce) instead
 * of being accepted again. A flood therefore costs at most `capacity`
 * entries and can only make honest clients re-authenticate, never let a
 * replayed request in.
 */

interface Entry {
  nc: number;
  issuedAt: number;
}

export type CountCheck = 'fresh' | 'replay' | 'evicted';

/**
 * Where nonce-counts are checked: in the process (NonceCounts), or in the
 * store shared by a cluster's engines, so that a request replayed to
 * another engine is caught too.
 */
export interface NonceCountStore {
  /** As NonceCounts.use; `expiresAt`: when the nonce goes stale, after which its count is not needed. */
  use(nonce: string, issuedAt: number, nc: number, expiresAt: number): Promise<CountCheck>;
  /** Nonces tracked in this process (0 for a shared store). */
  readonly size: number;
  /** Forgets nonces issued before `issuedBefore`. */
  dropIssuedBefore(issuedBefore: number): void;
}

/** NonceCounts behind the asynchronous interface, for an engine of its own. */
export class LocalNonceCounts implements NonceCountStore {
  constructor(private readonly counts: NonceCounts) {}

  use(nonce: string, issuedAt: number, nc: number): Promise<CountCheck> {
    return Promise.resolve(this.counts.use(nonce, issuedAt, nc));
  }

  get size(): number {
    return this.counts.size;
  }

  dropIssuedBefore(issuedBefore: number): void {
    this.counts.dropIssuedBefore(issuedBefore);
  }
}

export class NonceCounts {
  private readonly entries = new Map<string, Entry>();
  /** Greatest issue time among evicted nonces. */
  private floor = Number.NEGATIVE_INFINITY;
  private evictions = 0;

  constructor(readonly capacity: number = 10_000) {
    if (!(capacity >= 1)) throw new Error('capacity must be at least 1');
  }

  /**
   * Records a use of `nonce` with nonce-count `nc` when it is higher than the
   * last one seen; says 'replay' when it is not, 'evicted' when the nonce's
   * history may have been evicted.
   */
  use(nonce: string, issuedAt: number, nc: number): CountCheck {
    const entry = this.entries.get(nonce);
    if (entry) {
      if (nc <= entry.nc) return 'replay';
      this.entries.delete(nonce);
      entry.nc = nc;
      this.entries.set(nonce, entry);
      return 'fresh';
    }
    if (issuedAt <= this.floor) return 'evicted';
    this.entries.set(nonce, { nc, issuedAt });
    while (this.entries.size > this.capacity) this.evictOldest();
    return 'fresh';
  }

  /** Drops nonces issued before `issuedBefore` (they are stale anyway). */
  dropIssuedBefore(issuedBefore: number): void {
    for (const [nonce, entry] of this.entries) {
      if (entry.issuedAt < issuedBefore) this.entries.delete(nonce);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get evicted(): number {
    return this.evictions;
  }

  private evictOldest(): void {
    const oldest = this.entries.entries().next();
    if (oldest.done) return;
    const [nonce, entry] = oldest.value;
    this.entries.delete(nonce);
    this.evictions++;
    if (entry.issuedAt > this.floor) this.floor = entry.issuedAt;
  }
}
