/**
 * SIGTERM drains an engine: new calls get 503 (SIP, with Retry-After, and
 * REST), the calls in progress run on until they end or the drain limit
 * (then BYE), and the process exits having written its store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { startEngineProcess } from '../support/engine-process.js';
import { describeSipp, SippSession } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { respond, startAppServer } from './helpers/app-server.js';
import { CallerMedia } from './helpers/caller-media.js';
import { ACCOUNT_SID, AUTH_TOKEN, routerScenario, startRouter, testConfig } from './helpers/router-harness.js';

describe('SIGTERM drains the engine', () => {
  it.for([
    { name: 'a call that ends by itself runs to its end', voice: '<Pause length="2"/><Say>goodbye</Say><Hangup/>', drainSeconds: 20 },
    { name: 'a call still up at the drain limit is hung up then', voice: '<Pause length="60"/>', drainSeconds: 1 },
  ])('$name; new calls get 503; the store keeps the call', async ({ voice, drainSeconds }, { expect, onTestFinished }) => {
    const dir = await mkdtemp(join(tmpdir(), 'dialtone-drain-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const app = await startAppServer();
    onTestFinished(() => app.close());
    app.on('/voice', respond(voice));
    app.on('/status', respond(''));
    const dataDir = join(dir, 'data');
    const applications = [{ id: 'hold', voice: '/voice', statusCallback: '/status', statusCallbackEvents: ['completed' as const] }];
    const engine = await startEngineProcess({ ...testConfig(app.baseUrl, dataDir, applications), trunks: [], shutdown: { drainSeconds } }, dir);
    onTestFinished(() => engine.kill());
    const sipp = new SippSession();
    onTestFinished(() => sipp.stopAll());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    const keys = media.sippKeys;

    const first = await sipp.start({ scenario: routerScenario('answered'), remote: engine.sipTarget, service: 'hold', keys, timeoutSeconds: 30 });
    await engine.waitForLog((l) => l.msg === 'call answered', 10_000, 'call answered');
    const exited = new Promise<number | null>((resolve) => engine.child.once('exit', resolve));
    engine.child.kill('SIGTERM');
    await engine.waitForLog((l) => l.msg.startsWith('draining'), 5000, 'draining');

    const refused = await sipp.run({ scenario: routerScenario('error'), remote: engine.sipTarget, service: 'hold', keys, timeoutSeconds: 10 });
    const [answer] = findMessages(refused.trace, { direction: 'received', status: 503 });
    expect(answer, describeSipp(refused)).toBeDefined();
    expect(answer?.header('Retry-After')).toBe(String(drainSeconds));
    const rest = await fetch(`${engine.apiBase}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`, {
      method: 'POST',
      headers: { authorization: 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: 'sip:someone@127.0.0.1:5999', From: '+15550001111', Twiml: '<Response><Hangup/></Response>' }).toString(),
    });
    expect(rest.status).toBe(503);
    expect(await rest.json()).toMatchObject({ code: 20503 });

    const result = await first.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);
    expect(await exited).toBe(0);
    expect(app.to('/status').map((r) => r.params.CallStatus)).toEqual(['completed']);

    const next = await startRouter({ app, applications, dataDir });
    onTestFinished(() => next.stop());
    const calls = await twilioClientFor(next.apiBase, ACCOUNT_SID, AUTH_TOKEN).client.calls.list();
    expect(calls.map((c) => c.status)).toEqual(['completed']);
    expect(next.engine.stats().calls).toBe(0);
  });
});
