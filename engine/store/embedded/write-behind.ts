import type { Db } from './sqlite-database.js';

/**
 * Writes off the call path: a change is queued under its record's key (a
 * later change of the same record replaces it) and the queue is written in
 * one transaction at most `intervalMs` later. A read flushes first, so the
 * engine always reads its own writes. A batch that fails is kept and tried
 * again at the next flush, and the failure is reported once until a batch
 * succeeds.
 */
export class WriteBehind {
  private pending = new Map<string, () => void>();
  private timer: NodeJS.Timeout | undefined;
  private failing = false;

  constructor(
    private readonly db: Db,
    private readonly intervalMs: number,
    private readonly onError: (err: Error, pending: number) => void,
    private readonly onRecovered: () => void,
  ) {}

  /** Queues `apply` (a write of the record `key`) for the next batch. */
  add(key: string, apply: () => void): void {
    this.pending.delete(key);
    this.pending.set(key, apply);
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Writes what is queued now; true when nothing is left queued. */
  flush(): boolean {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return true;
    const batch = this.pending;
    this.pending = new Map();
    try {
      this.db.transaction(() => {
        for (const apply of batch.values()) apply();
      })();
    } catch (err) {
      // Keep the batch, newer changes of the same records winning, and try again later.
      for (const [key, apply] of this.pending) batch.set(key, apply);
      this.pending = batch;
      if (!this.failing) this.onError(err as Error, batch.size);
      this.failing = true;
      this.timer = setTimeout(() => this.flush(), Math.max(this.intervalMs, 1000));
      return false;
    }
    if (this.failing) this.onRecovered();
    this.failing = false;
    return true;
  }

  get size(): number {
    return this.pending.size;
  }
}
