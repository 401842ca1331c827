/**
 * An engine of a cluster killed (SIGKILL) in the middle of its calls: a
 * survivor sees its lease lapse, ends its calls in the store and sends each
 * call's completed status callback once, within lease time + 5 s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'vitest';
import { startEngineProcess } from '../support/engine-process.js';
import { waitUntil } from '../support/ports.js';
import { startRedis } from '../support/redis-server.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { redisStoreAt } from '../store/store-kinds.js';
import { respond } from './helpers/app-server.js';
import { CallerMedia } from './helpers/caller-media.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter, testConfig } from './helpers/router-harness.js';

const LEASE_MS = 2000;
const CALLS = 4;

describe('an engine of a cluster lost mid-call', () => {
  it('a survivor ends its calls within lease time + 5 s, with one completed callback each', async ({ expect, onTestFinished }) => {
    const dir = await mkdtemp(join(tmpdir(), 'dialtone-lost-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const redis = await startRedis();
    onTestFinished(() => redis.stop());
    const store = { redis: redis.url, keyPrefix: 'lost' };
    const applications = [{ id: 'hold', voice: '/voice', statusCallback: '/status', statusCallbackEvents: ['initiated', 'ringing', 'answered', 'completed'] as const }];
    const a = await startRouter({
      applications: applications.map((x) => ({ ...x, statusCallbackEvents: [...x.statusCallbackEvents] })),
      config: { store, engineId: 'survivor', cluster: { leaseMs: LEASE_MS } },
    });
    onTestFinished(() => a.stop());
    a.app.on('/voice', respond('<Pause length="40"/>'));
    a.app.on('/status', respond(''));

    const lostConfig = {
      ...testConfig(a.app.baseUrl, join(dir, 'data'), applications.map((x) => ({ ...x, statusCallbackEvents: [...x.statusCallbackEvents] }))),
      trunks: [],
      store,
      engineId: 'doomed',
      cluster: { leaseMs: LEASE_MS },
      drachtio: { host: a.admin.address, port: a.admin.port, secret: 'router-test' },
    };
    const doomed = await startEngineProcess(lostConfig, dir, 'doomed');
    onTestFinished(() => doomed.kill());

    const media = await Promise.all(Array.from({ length: CALLS }, () => CallerMedia.open()));
    onTestFinished(async () => void (await Promise.all(media.map((m) => m.close()))));
    for (const m of media) await a.call({ scenario: 'answered', user: 'hold', media: m, timeoutSeconds: 60 });
    const api = twilioClientFor(a.apiBase, ACCOUNT_SID, AUTH_TOKEN).client;
    await waitUntil(async () => (await api.calls.list({ status: 'in-progress' })).length === CALLS, 15_000, 'every call answered');
    const onSurvivor = a.engine.stats().calls;
    expect(onSurvivor).toBeGreaterThanOrEqual(1);
    expect(onSurvivor).toBeLessThan(CALLS);
    const records = redisStoreAt(redis.url, store.keyPrefix);
    onTestFinished(() => records.close());
    const doomedCalls = (await records.calls.unfinished('doomed')).map((c) => c.sid);
    expect(doomedCalls.length).toBe(CALLS - onSurvivor);

    await doomed.kill();
    const killedAt = Date.now();
    const completed = () => a.app.to('/status').filter((r) => r.params.CallStatus === 'completed');
    await waitUntil(() => doomedCalls.every((sid) => completed().some((r) => r.params.CallSid === sid)), LEASE_MS + 5000 + 2000, "the lost engine's completed callbacks");
    expect(Date.now() - killedAt).toBeLessThan(LEASE_MS + 5000);
    for (const sid of doomedCalls) {
      const call = await api.calls(sid).fetch();
      expect(call.status).toBe('completed');
      expect(call.endTime).toBeInstanceOf(Date);
    }
    // Two more lease periods: no second callback for any of them, and the survivor's calls run on.
    await sleep(2 * LEASE_MS);
    for (const sid of doomedCalls) {
      const callbacks = completed().filter((r) => r.params.CallSid === sid);
      expect(callbacks).toHaveLength(1);
      expect(callbacks[0]?.params).toMatchObject({ CallStatus: 'completed', CallbackSource: 'call-progress-events', SequenceNumber: '3', AccountSid: ACCOUNT_SID });
      expect(Number(callbacks[0]?.params.CallDuration)).toBeGreaterThanOrEqual(0);
    }
    expect(a.engine.stats().calls).toBe(onSurvivor);
    expect((await api.calls.list({ status: 'in-progress' })).length).toBe(onSurvivor);
  });
});
