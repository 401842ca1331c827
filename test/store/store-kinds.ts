/**
 * Each store test runs on both kinds of store: the embedded one (a database
 * in a fresh directory) and Redis (a real redis-server of the test's own).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreOptionsSchema, type StoreOptions } from '../../config/store-options.js';
import { silentLogger } from '../../engine/logger.js';
import { EmbeddedStore } from '../../engine/store/embedded/embedded-store.js';
import { RedisStore } from '../../engine/store/redis/redis-store.js';
import type { StateStore } from '../../engine/store/types.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

export interface StoreKind {
  name: 'embedded' | 'redis';
  /** A new, empty store (Redis: under a key prefix of its own). */
  open(options?: Partial<StoreOptions>): Promise<StateStore>;
  /** The same store's data opened again, as after a restart. */
  reopen(store: StateStore, options?: Partial<StoreOptions>): Promise<StateStore>;
  cleanup(): Promise<void>;
}

let prefixes = 0;

/** A Redis store at `url` under `keyPrefix`, as an engine configured so would open it. */
export function redisStoreAt(url: string, keyPrefix: string, options: Partial<StoreOptions> = {}): RedisStore {
  const parsed = StoreOptionsSchema.parse({ ...options, redis: url, keyPrefix });
  return new RedisStore({ ...parsed, redis: url }, silentLogger());
}

export function embeddedKind(): StoreKind {
  const dirs = new Map<StateStore, string>();
  const made: string[] = [];
  const at = (dir: string, options: Partial<StoreOptions>): StateStore => {
    const store = new EmbeddedStore(dir, StoreOptionsSchema.parse(options), silentLogger());
    dirs.set(store, dir);
    return store;
  };
  return {
    name: 'embedded',
    open: async (options = {}) => {
      const dir = await mkdtemp(join(tmpdir(), 'dialtone-store-'));
      made.push(dir);
      return at(dir, options);
    },
    reopen: async (store, options = {}) => at(dirs.get(store) as string, options),
    cleanup: async () => {
      await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

export function redisKind(): StoreKind & { server(): RedisServer } {
  let server: RedisServer | undefined;
  const prefixOf = new Map<StateStore, string>();
  const at = (prefix: string, options: Partial<StoreOptions>): StateStore => {
    const store = redisStoreAt(server?.url ?? '', prefix, options);
    prefixOf.set(store, prefix);
    return store;
  };
  return {
    name: 'redis',
    open: async (options = {}) => {
      server ??= await startRedis({ persist: true });
      return at(`t${++prefixes}`, options);
    },
    reopen: async (store, options = {}) => at(prefixOf.get(store) as string, options),
    cleanup: async () => {
      await server?.stop();
      server = undefined;
    },
    server: () => {
      if (!server) throw new Error('no redis-server yet');
      return server;
    },
  };
}
