import type { Counters, Leases } from '../types.js';
import type { RedisClient } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisRecords } from './redis-records.js';

/** Takes or renews KEYS[1] for ARGV[1] for ARGV[2] ms; 1 when the caller holds it afterwards. */
const ACQUIRE = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if current then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** Deletes KEYS[1] when ARGV[1] holds it. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Leases in Redis: `lease:{name}` holds the holder, expiring with the lease (atomic scripts). */
export class RedisLeases implements Leases {
  constructor(
    private readonly r: RedisRecords,
    private readonly keys: RedisKeys,
  ) {}

  private get client(): RedisClient {
    return this.r.client;
  }

  acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.r.read('lease', async () => Number(await this.client.eval(ACQUIRE, 1, this.keys.lease(name), holder, Math.max(1, Math.round(ttlMs)))) === 1);
  }

  holder(name: string): Promise<string | undefined> {
    return this.r.read('lease', async () => (await this.client.get(this.keys.lease(name))) ?? undefined);
  }

  release(name: string, holder: string): Promise<void> {
    return this.r.read('lease', async () => {
      await this.client.eval(RELEASE, 1, this.keys.lease(name), holder);
    });
  }
}

/** Counters in Redis: `counter:{name}`, INCRBY. */
export class RedisCounters implements Counters {
  constructor(
    private readonly r: RedisRecords,
    private readonly keys: RedisKeys,
  ) {}

  increment(name: string, by = 1): Promise<number> {
    return this.r.read('counter', () => this.r.client.incrby(this.keys.counter(name), by));
  }

  async get(name: string): Promise<number> {
    return this.r.read('counter', async () => Number((await this.r.client.get(this.keys.counter(name))) ?? 0));
  }
}
