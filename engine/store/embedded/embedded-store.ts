import { join } from 'node:path';
import type { Logger } from 'pino';
import type { StoreOptions } from '../../../config/store-options.js';
import { LocalBus } from '../local-bus.js';
import type { StateStore } from '../types.js';
import { openDatabase, type Db } from './sqlite-database.js';
import { SqliteCallStore } from './sqlite-calls.js';
import { SqliteRecordingStore } from './sqlite-recordings.js';
import { SqliteCallLogStore } from './sqlite-call-log.js';
import { SqliteConferenceStore } from './sqlite-conferences.js';
import { SqliteQueueStore } from './sqlite-queues.js';
import { SqliteTaskRouterStore } from './sqlite-taskrouter.js';
import { SqliteCounters, SqliteLeases } from './sqlite-leases.js';
import { SqliteRegistrations, SqliteSecrets } from './sqlite-registrations.js';
import { LocalNonceCounts, NonceCounts } from '../../auth/nonce-counts.js';
import { WriteBehind } from './write-behind.js';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';

/** The embedded store's file, under dataDir. */
export const STATE_FILE = 'state.sqlite';
/** How often records past the retention are deleted. */
const PRUNE_INTERVAL_MS = 60_000;
const DAY_MS = 86_400_000;
/** How often the write-ahead log is copied into the database file (off the event loop). */
const CHECKPOINT_INTERVAL_MS = 2000;

/**
 * The state of one engine in a database file under dataDir (nothing to
 * install): call and recording records survive a restart. `dataDir` may
 * be ':memory:' for a store that lives with the process.
 */
export class EmbeddedStore implements StateStore {
  readonly kind = 'embedded';
  readonly calls: SqliteCallStore;
  readonly recordings: SqliteRecordingStore;
  readonly conferences: SqliteConferenceStore;
  readonly queues: SqliteQueueStore;
  readonly taskRouter: SqliteTaskRouterStore;
  readonly callLog: SqliteCallLogStore;
  readonly bus = new LocalBus();
  readonly leases: SqliteLeases;
  readonly counters: SqliteCounters;
  readonly registrations: SqliteRegistrations;
  /** One engine checks nonce-counts in its own memory. */
  readonly nonceCounts = new LocalNonceCounts(new NonceCounts());
  readonly secrets: SqliteSecrets;
  private readonly db: Db;
  private readonly writes: WriteBehind;
  private readonly pruneTimer: NodeJS.Timeout;
  private readonly checkpointer: Checkpointer | undefined;
  private closed = false;

  constructor(
    dataDir: string,
    private readonly options: Pick<StoreOptions, 'retention' | 'flushIntervalMs'>,
    private readonly log: Logger,
  ) {
    const file = dataDir === ':memory:' ? dataDir : join(dataDir, STATE_FILE);
    this.db = openDatabase(file);
    if (file !== ':memory:') {
      this.db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = startCheckpointer(file, CHECKPOINT_INTERVAL_MS, (reason) => log.warn({ file, reason }, 'the store could not checkpoint its log'));
    }
    this.writes = new WriteBehind(
      this.db,
      options.flushIntervalMs,
      (err, pending) => log.error({ file, pending, reason: err.message }, 'the store cannot write: changes are kept and tried again'),
      () => log.info({ file }, 'the store writes again'),
    );
    this.calls = new SqliteCallStore(this.db, this.writes);
    this.recordings = new SqliteRecordingStore(this.db, this.writes);
    this.conferences = new SqliteConferenceStore(this.db, this.writes);
    this.queues = new SqliteQueueStore(this.db);
    this.taskRouter = new SqliteTaskRouterStore(this.db, this.writes);
    this.callLog = new SqliteCallLogStore(this.db, this.writes);
    this.leases = new SqliteLeases(this.db);
    this.counters = new SqliteCounters(this.db);
    this.registrations = new SqliteRegistrations(this.db, this.writes);
    this.secrets = new SqliteSecrets(this.db);
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_INTERVAL_MS).unref();
  }

  /** Deletes ended calls, recordings, ended conferences and calls' logs past the retention (conferences count against the calls' number); the number deleted. */
  prune(now = Date.now()): number {
    const { days, calls, recordings } = this.options.retention;
    const before = now - days * DAY_MS;
    try {
      const deleted = this.calls.prune(before, calls) + this.recordings.prune(before, recordings) + this.conferences.prune(before, calls) + this.callLog.prune(before);
      if (deleted > 0) this.log.info({ deleted }, 'records past the retention deleted');
      return deleted;
    } catch (err) {
      this.log.warn({ reason: (err as Error).message }, 'records past the retention could not be deleted');
      return 0;
    }
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  flush(): Promise<void> {
    this.writes.flush();
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pruneTimer);
    if (!this.writes.flush()) this.log.error({ lost: this.writes.size }, 'the store could not write its last changes before closing');
    await this.checkpointer?.stop();
    this.db.close();
  }
}
