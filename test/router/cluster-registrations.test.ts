/**
 * A phone registered through one engine of a cluster is reached from every
 * engine: two engines share a Redis and one SIP server (engine A's), the
 * phone REGISTERs with digest (its challenge and its answer may be handled
 * by different engines: they share the nonce key and the nonce-counts), and
 * calls that the SIP server hands to either engine ring it with
 * <Dial><Client>.
 */
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { freeUdpPort } from '../support/ports.js';
import { startRedis } from '../support/redis-server.js';
import { describeSipp } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { redisStoreAt } from '../store/store-kinds.js';
import { noContent, respond } from './helpers/app-server.js';
import { CallerMedia } from './helpers/caller-media.js';
import { startRouter } from './helpers/router-harness.js';

const USERS = [{ username: 'alice', password: 'alice-secret-1' }];
const scenario = (name: string): string => fileURLToPath(new URL(`../scenarios/${name}.xml`, import.meta.url));

describe('registrations in a cluster', () => {
  it('a phone registered through the cluster is rung by <Dial><Client> from both engines', async ({ expect, onTestFinished }) => {
    const redis = await startRedis();
    onTestFinished(() => redis.stop());
    const store = { redis: redis.url, keyPrefix: 'reg' };
    const common = { applications: [{ id: 'dialer', voice: '/voice' }], users: USERS, registrarOptions: { algorithms: ['MD5' as const] } };
    const a = await startRouter({ ...common, config: { store, engineId: 'engine-a' } });
    onTestFinished(() => a.stop());
    const b = await startRouter({ ...common, app: a.app, config: { store, engineId: 'engine-b', drachtio: { host: a.admin.address, port: a.admin.port, secret: 'router-test' } } });
    onTestFinished(() => b.stop());
    a.app.on('/voice', respond('<Dial action="/dialed"><Client>alice</Client></Dial>'));
    a.app.on('/dialed', respond('<Hangup/>'));
    a.app.on('/leg-status', noContent());

    const port = await freeUdpPort();
    const registered = await a.sipp.run({
      scenario: scenario('uac-register-digest'),
      remote: a.sipTarget,
      port,
      service: 'alice',
      keys: { contact_host: '192.0.2.10:5060' },
      extraArgs: ['-au', 'alice', '-ap', 'alice-secret-1'],
    });
    expect(registered.exitCode, describeSipp(registered)).toBe(0);
    const records = redisStoreAt(redis.url, store.keyPrefix);
    onTestFinished(() => records.close());
    expect((await records.registrations.get('alice')).map((bnd) => bnd.contactUri)).toEqual(['sip:alice@192.0.2.10:5060;transport=UDP']);

    const caller = await CallerMedia.open();
    onTestFinished(() => caller.close());
    for (let i = 0; i < 2; i++) {
      const media = await CallerMedia.open();
      onTestFinished(() => media.close());
      const alice = await a.sipp.start({ scenario: scenario('router-uas-answer'), port, keys: { ...media.sippKeys, hangup: 'callee' }, timeoutSeconds: 30, extraArgs: ['-d', '500'] });
      const call = await a.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 });
      const aliceResult = await alice.done;
      expect(aliceResult.exitCode, describeSipp(aliceResult)).toBe(0);
      expect(findMessages(aliceResult.trace, { direction: 'received', method: 'INVITE' })).toHaveLength(1);
      expect((await call.done).exitCode).toBe(0);
      expect(a.app.to('/dialed')[i]?.params.DialCallStatus).toBe('completed');
    }
    // The SIP server handed one call to each engine (and each placed its own leg to alice).
    expect(a.engine.stats().totalCalls).toBe(2);
    expect(b.engine.stats().totalCalls).toBe(2);
  });
});
