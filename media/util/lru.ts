/**
 * A least-recently-used map bounded by entry count and/or total size.
 * Map iteration order is insertion order, so re-inserting on access keeps
 * the least recently used entry first.
 */
export interface LruOptions<V> {
  maxEntries?: number;
  /** Upper bound on the sum of sizeOf(value). */
  maxSize?: number;
  sizeOf?: (value: V) => number;
}

export class LruCache<K, V> {
  private readonly map = new Map<K, { value: V; size: number }>();
  private total = 0;
  private readonly maxEntries: number;
  private readonly maxSize: number;
  private readonly sizeOf: (value: V) => number;

  constructor(opts: LruOptions<V> = {}) {
    this.maxEntries = opts.maxEntries ?? Infinity;
    this.maxSize = opts.maxSize ?? Infinity;
    this.sizeOf = opts.sizeOf ?? (() => 1);
  }

  get size(): number {
    return this.map.size;
  }

  /** Sum of the sizes of the values held. */
  get totalSize(): number {
    return this.total;
  }

  get(key: K): V | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, entry);
    return entry.value;
  }

  /** Look without marking as used. */
  peek(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const size = this.sizeOf(value);
    if (size > this.maxSize || this.maxEntries < 1) return; // would evict everything else and still not fit
    this.map.set(key, { value, size });
    this.total += size;
    while (this.map.size > this.maxEntries || this.total > this.maxSize) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  delete(key: K): boolean {
    const entry = this.map.get(key);
    if (entry === undefined) return false;
    this.map.delete(key);
    this.total -= entry.size;
    return true;
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }
}
