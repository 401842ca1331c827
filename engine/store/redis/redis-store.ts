import type { Logger } from 'pino';
import type { StoreOptions } from '../../../config/store-options.js';
import type { StateStore } from '../types.js';
import { RedisBus } from './redis-bus.js';
import { RedisCallStore } from './redis-calls.js';
import { closeRedis, connectRedis, type RedisClient } from './redis-connection.js';
import { RedisKeys } from './redis-keys.js';
import { RedisRecords } from './redis-records.js';
import { RedisCallLogStore } from './redis-call-log.js';
import { RedisRecordingStore } from './redis-recordings.js';
import { RedisConferenceStore } from './redis-conferences.js';
import { RedisQueueStore } from './redis-queues.js';
import { RedisTaskRouterStore } from './redis-taskrouter.js';
import { RedisCounters, RedisLeases } from './redis-leases.js';
import { RedisNonceCounts, RedisRegistrations, RedisSecrets } from './redis-registrations.js';

const DAY_MS = 86_400_000;

/** The state of a cluster of engines in one Redis (store.redis or DIALTONE_REDIS_URL). */
export class RedisStore implements StateStore {
  readonly kind = 'redis';
  readonly calls: RedisCallStore;
  readonly recordings: RedisRecordingStore;
  readonly conferences: RedisConferenceStore;
  readonly queues: RedisQueueStore;
  readonly taskRouter: RedisTaskRouterStore;
  readonly callLog: RedisCallLogStore;
  readonly bus: RedisBus;
  readonly leases: RedisLeases;
  readonly counters: RedisCounters;
  readonly registrations: RedisRegistrations;
  readonly nonceCounts: RedisNonceCounts;
  readonly secrets: RedisSecrets;
  readonly keys: RedisKeys;
  private readonly client: RedisClient;
  private readonly callRecords: RedisRecords;

  constructor(
    options: StoreOptions & { redis: NonNullable<StoreOptions['redis']> },
    private readonly log: Logger,
  ) {
    this.client = connectRedis(options.redis, log, 'store');
    this.keys = new RedisKeys(options.keyPrefix);
    const ms = options.retention.days * DAY_MS;
    this.callRecords = new RedisRecords(this.client, log, { ms, count: options.retention.calls });
    this.calls = new RedisCallStore(this.callRecords, this.keys);
    this.recordings = new RedisRecordingStore(new RedisRecords(this.client, log, { ms, count: options.retention.recordings }), this.keys);
    this.conferences = new RedisConferenceStore(new RedisRecords(this.client, log, { ms, count: options.retention.calls }), this.keys);
    this.queues = new RedisQueueStore(this.callRecords, this.keys);
    this.taskRouter = new RedisTaskRouterStore(this.callRecords, this.keys);
    this.callLog = new RedisCallLogStore(this.callRecords, this.keys);
    this.leases = new RedisLeases(this.callRecords, this.keys);
    this.counters = new RedisCounters(this.callRecords, this.keys);
    this.registrations = new RedisRegistrations(this.callRecords, this.keys);
    this.nonceCounts = new RedisNonceCounts(this.callRecords, this.keys);
    this.secrets = new RedisSecrets(this.callRecords, this.keys);
    this.bus = new RedisBus(this.client, options.redis, options.keyPrefix, log);
  }

  /** Waits until Redis is reached, saying so in the log every 10 s. */
  async ready(): Promise<void> {
    const client = this.client;
    while (client.status !== 'ready') {
      if (client.status === 'end') throw new Error('the connection to Redis was closed');
      const reached = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          client.off('ready', onReady);
          resolve(false);
        }, 10_000);
        const onReady = (): void => {
          clearTimeout(timer);
          resolve(true);
        };
        client.once('ready', onReady);
      });
      if (!reached) this.log.warn({ status: client.status }, 'waiting for Redis before taking calls');
    }
  }

  /** Every command sent before it has been answered once the PING is (one connection answers in order). */
  async flush(): Promise<void> {
    await this.callRecords.read('flush', () => this.client.ping());
  }

  /** Waits (within the read timeout) for what was written to be applied, then closes the connection. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } catch (err) {
      this.log.error({ reason: (err as Error).message }, 'closing the store before Redis confirmed the last changes: they may be lost');
    }
    await Promise.all([this.bus.close(), closeRedis(this.client)]);
  }
}
