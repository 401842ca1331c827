import type { Logger } from 'pino';
import type { StoreOptions } from '../../config/store-options.js';
import { EmbeddedStore } from './embedded/embedded-store.js';
import { RedisStore } from './redis/redis-store.js';
import type { StateStore } from './types.js';

/** The store the configuration names: Redis when `store.redis` is set, the embedded one under `dataDir` otherwise. */
export function openStore(options: StoreOptions, dataDir: string, log: Logger): StateStore {
  const storeLog = log.child({ component: 'store' });
  const { redis } = options;
  if (redis !== undefined) return new RedisStore({ ...options, redis }, storeLog);
  return new EmbeddedStore(dataDir, options, storeLog);
}
