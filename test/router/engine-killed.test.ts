/**
 * An embedded engine killed (SIGKILL) in the middle of a call: the call's
 * record is not left "in-progress" for ever. The next engine on the same
 * data directory ends it in the store at start, as completed (it had been
 * answered), and says so in its log.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { pino } from 'pino';
import { startEngineProcess } from '../support/engine-process.js';
import { SippSession } from '../support/sipp.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { respond, startAppServer } from './helpers/app-server.js';
import { CallerMedia } from './helpers/caller-media.js';
import { ACCOUNT_SID, AUTH_TOKEN, routerScenario, startRouter, testConfig } from './helpers/router-harness.js';

describe('an embedded engine killed mid-call', () => {
  it('the next engine on its data ends the call in the store: completed, with its duration', async ({ expect, onTestFinished }) => {
    const dir = await mkdtemp(join(tmpdir(), 'dialtone-killed-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const app = await startAppServer();
    onTestFinished(() => app.close());
    app.on('/voice', respond('<Pause length="60"/>'));
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    const dataDir = join(dir, 'data');
    const config = { ...testConfig(app.baseUrl, dataDir, [{ id: 'hold', voice: '/voice' }]), trunks: [] };

    const engine = await startEngineProcess(config, dir);
    onTestFinished(() => engine.kill());
    const sipp = new SippSession();
    onTestFinished(() => sipp.stopAll());
    void sipp.start({ scenario: routerScenario('hangup'), remote: engine.sipTarget, service: 'hold', keys: media.sippKeys, timeoutSeconds: 30, extraArgs: ['-d', '30000'] });
    await engine.waitForLog((l) => l.msg === 'call answered', 10_000, 'call answered');
    const [live] = await twilioClientFor(engine.apiBase, ACCOUNT_SID, AUTH_TOKEN).client.calls.list();
    expect(live?.status).toBe('in-progress');
    await engine.kill();

    const lines: { msg: string; callSid?: string; status?: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
    const next = await startRouter({ app, applications: [{ id: 'hold', voice: '/voice' }], dataDir, logger });
    onTestFinished(() => next.stop());
    const [ended] = await twilioClientFor(next.apiBase, ACCOUNT_SID, AUTH_TOKEN).client.calls.list();
    expect(ended?.sid).toBe(live?.sid);
    expect(ended?.status).toBe('completed');
    expect(ended?.endTime).toBeInstanceOf(Date);
    expect(Number(ended?.duration)).toBeGreaterThanOrEqual(0);
    expect(lines.filter((l) => l.msg === 'call ended in the store: its engine no longer runs it')).toEqual([
      expect.objectContaining({ callSid: live?.sid, status: 'completed' }),
    ]);
  });
});
