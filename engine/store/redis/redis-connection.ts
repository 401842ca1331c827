import { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisTarget } from '../../../config/store-options.js';

export type RedisClient = Redis | Cluster;

/** Clients being closed on purpose: their going away is not an outage. */
const closing = new WeakSet<RedisClient>();

/** Longest pause between two attempts to reach Redis again. */
const MAX_RETRY_DELAY_MS = 2000;

/** Where a target points, for logs (without its password). */
export function describeTarget(target: RedisTarget): string {
  if (typeof target === 'string') return target.replace(/\/\/[^@/]*@/, '//***@');
  if ('sentinels' in target) return `sentinel ${target.name} at ${target.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
  return `cluster at ${target.cluster.map((s) => `${s.host}:${s.port}`).join(',')}`;
}

/**
 * A connection to Redis as the stores use it: commands pipelined
 * automatically, and while Redis is away queued (never failed) until it
 * is back, so that no write is dropped. The log says once when Redis goes
 * and once when it comes back.
 */
export function connectRedis(target: RedisTarget, log: Logger, role: string): RedisClient {
  const common = {
    enableAutoPipelining: true,
    maxRetriesPerRequest: null,
    connectionName: `dialtone-${role}`,
    retryStrategy: (times: number) => Math.min(times * 100, MAX_RETRY_DELAY_MS),
  };
  let client: RedisClient;
  if (typeof target === 'string') client = new Redis(target, common);
  else if ('sentinels' in target) client = new Redis({ ...common, sentinels: target.sentinels, name: target.name, password: target.password, sentinelPassword: target.sentinelPassword, db: target.db });
  else client = new Cluster(target.cluster, { enableAutoPipelining: true, clusterRetryStrategy: common.retryStrategy, redisOptions: { ...common, password: target.password } });
  const where = describeTarget(target);
  let everUp = false;
  let downSince: number | undefined;
  client.on('ready', () => {
    if (everUp) log.info({ redis: where, role, downMs: Date.now() - (downSince ?? Date.now()) }, 'Redis is back');
    else log.info({ redis: where, role }, 'connected to Redis');
    everUp = true;
    downSince = undefined;
  });
  const lost = (reason: string): void => {
    if (downSince !== undefined || closing.has(client)) return;
    downSince = Date.now();
    log.error({ redis: where, role, reason }, 'Redis is not available: calls go on, changes are kept until it is back');
  };
  client.on('error', (err: Error) => lost(err.message));
  client.on('close', () => lost('connection closed'));
  return client;
}

/** Closes the connection after what was sent has been answered (at most `waitMs`, then at once). */
export async function closeRedis(client: RedisClient, waitMs = 2000): Promise<void> {
  closing.add(client);
  let timer: NodeJS.Timeout | undefined;
  const quit = client.quit().then(
    () => true,
    () => false,
  );
  const done = await Promise.race([quit, new Promise<boolean>((r) => (timer = setTimeout(() => r(false), waitMs)))]);
  clearTimeout(timer);
  if (!done) client.disconnect();
}
