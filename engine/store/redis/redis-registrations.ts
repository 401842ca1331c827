import { randomBytes } from 'node:crypto';
import type { CountCheck, NonceCountStore } from '../../auth/nonce-counts.js';
import type { Binding } from '../../registrar/registrar.js';
import type { RegistrationStore, SharedSecrets } from '../types.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisRecords } from './redis-records.js';

/**
 * Registrations in Redis: `registration:{user}` holds the user's bindings
 * as JSON and expires with the last of them; `registrations` is the set of
 * users that have some.
 */
export class RedisRegistrations implements RegistrationStore {
  constructor(
    private readonly r: RedisRecords,
    private readonly keys: RedisKeys,
  ) {}

  all(): Promise<Map<string, Binding[]>> {
    return this.r.read('registrations', async () => {
      const users = await this.r.client.smembers(this.keys.registrationUsers());
      const values = await Promise.all(users.map((u) => this.r.client.get(this.keys.registration(u))));
      const out = new Map<string, Binding[]>();
      const gone: string[] = [];
      values.forEach((v, i) => {
        const user = users[i] as string;
        if (v === null) gone.push(user);
        else out.set(user, JSON.parse(v) as Binding[]);
      });
      if (gone.length > 0) this.r.write('registrations', this.r.client.srem(this.keys.registrationUsers(), ...gone));
      return out;
    });
  }

  get(username: string): Promise<Binding[]> {
    return this.r.read('registration', async () => {
      const v = await this.r.client.get(this.keys.registration(username));
      return v === null ? [] : (JSON.parse(v) as Binding[]);
    });
  }

  put(username: string, bindings: readonly Binding[]): void {
    const key = this.keys.registration(username);
    const users = this.keys.registrationUsers();
    const lastsMs = Math.max(0, ...bindings.map((b) => b.expiresAt)) - Date.now();
    if (bindings.length === 0 || lastsMs <= 0) {
      this.r.write(key, this.r.client.del(key));
      this.r.write(users, this.r.client.srem(users, username));
      return;
    }
    this.r.write(key, this.r.client.set(key, JSON.stringify(bindings), 'PX', Math.ceil(lastsMs)));
    this.r.write(users, this.r.client.sadd(users, username));
  }
}

/** KEYS[1]: the nonce's last count; ARGV: count, expiry in ms. 1 when the count is above the last one (and is now the last). */
const USE_NONCE = `
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) <= last then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** Nonce-counts in Redis (`nonce:{nonce}`, expiring with the nonce), checked and raised in one step. */
export class RedisNonceCounts implements NonceCountStore {
  readonly size = 0;

  constructor(
    private readonly r: RedisRecords,
    private readonly keys: RedisKeys,
  ) {}

  use(nonce: string, _issuedAt: number, nc: number, expiresAt: number): Promise<CountCheck> {
    const ttl = Math.max(1000, Math.ceil(expiresAt - Date.now()) + 1000);
    return this.r.read('nonce-count', async () => (Number(await this.r.client.eval(USE_NONCE, 1, this.keys.nonce(nonce), nc, ttl)) === 1 ? 'fresh' : 'replay'));
  }

  dropIssuedBefore(): void {
    // The keys expire with their nonces.
  }
}

/** Secrets in Redis (`secret:{name}`): the first engine to ask makes it, the others read it. */
export class RedisSecrets implements SharedSecrets {
  constructor(
    private readonly r: RedisRecords,
    private readonly keys: RedisKeys,
  ) {}

  get(name: string): Promise<Buffer> {
    return this.r.read('secret', async () => {
      const key = this.keys.secret(name);
      await this.r.client.set(key, randomBytes(32).toString('base64'), 'NX');
      return Buffer.from((await this.r.client.get(key)) ?? '', 'base64');
    });
  }
}
