import type { Counters, Leases } from '../types.js';
import type { Db } from './sqlite-database.js';

/**
 * Leases and counters in the embedded database. They are written at once,
 * not behind: whoever asks must know the answer now. Each operation is one
 * statement or one transaction, so processes sharing the file agree.
 */
export class SqliteLeases implements Leases {
  private readonly take;
  private readonly read;
  private readonly drop;

  constructor(
    db: Db,
    private readonly now: () => number = Date.now,
  ) {
    // Free, lapsed, or already ours: it becomes ours until the new expiry.
    this.take = db.prepare<[{ name: string; holder: string; expires: number; now: number }]>(
      `INSERT INTO leases (name, holder, expires_ms) VALUES (@name, @holder, @expires)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_ms = excluded.expires_ms
       WHERE leases.holder = excluded.holder OR leases.expires_ms <= @now`,
    );
    this.read = db.prepare<[string, number]>('SELECT holder FROM leases WHERE name = ? AND expires_ms > ?').pluck();
    this.drop = db.prepare<[string, string]>('DELETE FROM leases WHERE name = ? AND holder = ?');
  }

  acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    return Promise.resolve(this.take.run({ name, holder, expires: now + ttlMs, now }).changes > 0);
  }

  holder(name: string): Promise<string | undefined> {
    return Promise.resolve(this.read.get(name, this.now()) as string | undefined);
  }

  release(name: string, holder: string): Promise<void> {
    this.drop.run(name, holder);
    return Promise.resolve();
  }
}

export class SqliteCounters implements Counters {
  private readonly add;
  private readonly read;

  constructor(db: Db) {
    this.add = db
      .prepare<[{ name: string; by: number }]>('INSERT INTO counters (name, value) VALUES (@name, @by) ON CONFLICT (name) DO UPDATE SET value = value + @by RETURNING value')
      .pluck();
    this.read = db.prepare<[string]>('SELECT value FROM counters WHERE name = ?').pluck();
  }

  increment(name: string, by = 1): Promise<number> {
    return Promise.resolve(Number(this.add.get({ name, by })));
  }

  get(name: string): Promise<number> {
    return Promise.resolve(Number(this.read.get(name) ?? 0));
  }
}
