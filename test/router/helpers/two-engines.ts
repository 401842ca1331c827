/**
 * Two engines as one system for router tests: a Redis of the test's own,
 * engine A with its embedded SIP server, and engine B connected to A's SIP
 * server as a drachtio-srf application (as to a drachtio-server), so that
 * new calls are handed to them in turn. `records` reads the shared store.
 */
import type { StateStore } from '../../../engine/store/types.js';
import { redisStoreAt } from '../../store/store-kinds.js';
import { startRedis } from '../../support/redis-server.js';
import { startRouter, type RouterHarness, type TestApplication } from './router-harness.js';

export interface TwoEngines {
  a: RouterHarness;
  b: RouterHarness;
  records: StateStore;
}

export async function startTwoEngines(onTestFinished: (fn: () => Promise<void> | void) => void, opts: { applications: TestApplication[]; keyPrefix: string; leaseMs?: number }): Promise<TwoEngines> {
  const redis = await startRedis();
  onTestFinished(() => redis.stop());
  const store = { redis: redis.url, keyPrefix: opts.keyPrefix };
  const cluster = opts.leaseMs !== undefined ? { cluster: { leaseMs: opts.leaseMs } } : {};
  const a = await startRouter({ applications: opts.applications, config: { store, engineId: 'engine-a', ...cluster } });
  onTestFinished(() => a.stop());
  const b = await startRouter({
    app: a.app,
    applications: opts.applications,
    config: { store, engineId: 'engine-b', ...cluster, drachtio: { host: a.admin.address, port: a.admin.port, secret: 'router-test' } },
  });
  onTestFinished(() => b.stop());
  const records = redisStoreAt(redis.url, store.keyPrefix);
  onTestFinished(() => records.close());
  return { a, b, records };
}
