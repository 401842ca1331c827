import type { Logger } from 'pino';
import { StoreUnavailableError } from '../types.js';
import type { RedisClient } from './redis-connection.js';

/** How long a read may wait for Redis before the store reports itself unavailable. */
export const READ_TIMEOUT_MS = 3000;

/**
 * What the Redis record stores share: writes that never throw (a failure is
 * logged; while Redis is away ioredis keeps them queued), reads bounded in
 * time, and pruning of an account's index past the retention.
 */
export class RedisRecords {
  private readonly lastPrune = new Map<string, number>();

  constructor(
    readonly client: RedisClient,
    private readonly log: Logger,
    private readonly retention: { ms: number; count: number },
    private readonly pruneEveryMs = 60_000,
  ) {}

  /** Runs a write; failures are logged with what was being written. */
  write(what: string, op: Promise<unknown>): void {
    op.catch((err: Error) => this.log.error({ write: what, reason: err.message }, 'a write to Redis failed'));
  }

  /** Runs a read; StoreUnavailableError when Redis has not answered within READ_TIMEOUT_MS. */
  async read<T>(what: string, op: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StoreUnavailableError(`Redis did not answer (${what}) within ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS);
    });
    try {
      return await Promise.race([op(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** TTL of an ended record, in ms. */
  get ttlMs(): number {
    return Math.max(1, Math.round(this.retention.ms));
  }

  /** At most once a minute per index: members older than the retention, or past the newest `count`, leave it with their records. */
  maybePrune(index: string, recordKey: (sid: string) => string, now = Date.now()): void {
    const last = this.lastPrune.get(index) ?? 0;
    if (now - last < this.pruneEveryMs) return;
    this.lastPrune.set(index, now);
    this.write(`prune ${index}`, this.prune(index, recordKey, now));
  }

  private async prune(index: string, recordKey: (sid: string) => string, now: number): Promise<void> {
    const { client } = this;
    const old = await client.zrangebyscore(index, '-inf', `(${now - this.retention.ms}`);
    const size = await client.zcard(index);
    const over = size - old.length > this.retention.count ? await client.zrange(index, 0, size - old.length - this.retention.count - 1) : [];
    const sids = [...new Set([...old, ...over])];
    for (let i = 0; i < sids.length; i += 500) {
      const part = sids.slice(i, i + 500);
      await Promise.all([client.zrem(index, ...part), ...part.map((sid) => client.del(recordKey(sid)))]);
    }
  }
}

