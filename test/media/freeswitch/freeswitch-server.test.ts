/**
 * Against a real FreeSWITCH (DIALTONE_TEST_FREESWITCH=host:port:secret; skipped,
 * saying so, otherwise): a wrong event socket password stops the engine's
 * start with an error naming the server; a FreeSWITCH restart in the middle
 * of a call ends that call cleanly (BYE to the caller, status callback
 * completed) and, once FreeSWITCH is back, a new call is answered and hears
 * its prompt. The restart is FreeSWITCH's own `fsctl shutdown restart`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, it } from 'vitest';
import { parseEngineConfig } from '../../../config/load-engine-config.js';
import { Engine } from '../../../engine/engine.js';
import { describeSipp } from '../../support/sipp.js';
import { findMessages } from '../../support/sipp-trace.js';
import { freeswitchNamed, type ExternalServer } from '../../support/test-variants.js';
import { noContent, respond } from '../../router/helpers/app-server.js';
import { CallerMedia, PT_PCMU } from '../../router/helpers/caller-media.js';
import { startRouter, testConfig } from '../../router/helpers/router-harness.js';

const fs = freeswitchNamed();
if (!fs) console.log('skipped: FreeSWITCH server tests (set DIALTONE_TEST_FREESWITCH=host:port:secret)');

const LONG = 'This prompt goes on and on, long enough for FreeSWITCH to be restarted while it plays.';

/** Sends one API command over the event socket and waits for the connection to close (as a restart closes it). */
function eslCommandUntilClosed(server: ExternalServer, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port });
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('auth/request') && !text.includes('#sent-auth')) {
        text += '#sent-auth';
        socket.write(`auth ${server.secret}\n\n`);
      } else if (text.includes('+OK accepted') && !text.includes('#sent-cmd')) {
        text += '#sent-cmd';
        socket.write(`api ${command}\n\n`);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}

function captureLog(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write: (chunk: Buffer, _enc, done) => {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  return { logger, lines };
}

describe.skipIf(!fs)('with a real FreeSWITCH', () => {
  const server = fs as ExternalServer;
  const media = (secret: string) => ({
    driver: 'freeswitch' as const,
    freeswitch: { servers: [{ address: server.host, port: server.port, secret }], reconnectIntervalMs: 300 },
  });

  it('a wrong event socket password: start() fails with an error naming the server and the key', async ({ expect, onTestFinished }) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dialtone-fs-'));
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
    const config = parseEngineConfig({ ...testConfig('http://127.0.0.1:9', dataDir, [{ id: 'a', voice: '/voice' }]), media: media('not-the-password') }, { env: {} });
    const engine = new Engine(config);
    onTestFinished(() => engine.stop());
    const err = await engine.start().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toBe(
      `FreeSWITCH ${server.host}:${server.port} (media.freeswitch.servers[0]): the event socket at ${server.host}:${server.port} refused the password (-ERR invalid)`,
    );
  });

  it('FreeSWITCH restarts mid-call: the call ends (BYE, completed); once it is back a new call works', { timeout: 60_000 }, async ({ expect, onTestFinished }) => {
    const { logger, lines } = captureLog();
    const h = await startRouter({
      applications: [{ id: 'restart', voice: '/voice', statusCallback: '/status', statusCallbackEvents: ['completed'] }],
      media: media(server.secret),
      logger,
    });
    onTestFinished(() => h.stop());
    const caller = await CallerMedia.open();
    onTestFinished(() => caller.close());
    h.app.on('/voice', respond(`<Say loop="10">${LONG}</Say>`));
    h.app.on('/status', noContent());

    const call = await h.call({ scenario: 'answered', user: 'restart', media: caller, timeoutSeconds: 40 });
    await expect.poll(() => caller.packetsOf(PT_PCMU).length, { timeout: 10_000 }).toBeGreaterThan(25);
    const restartedAt = Date.now();
    await eslCommandUntilClosed(server, 'fsctl shutdown restart');

    const result = await call.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);
    const completed = await h.app.waitFor((r) => r.pathname === '/status', 10_000, 'completed status callback');
    expect(completed.params.CallStatus).toBe('completed');
    expect(Date.now() - restartedAt).toBeLessThan(10_000);
    await expect.poll(() => h.engine.stats(), { timeout: 5000 }).toMatchObject({ calls: 0, endpoints: 0 });
    expect(lines.some((l) => l.msg === 'the media endpoint ended under the call: hanging up')).toBe(true);

    // FreeSWITCH comes back by itself; the driver reconnects.
    await expect
      .poll(() => lines.filter((l) => l.msg === 'connected to FreeSWITCH').length, { timeout: 30_000, interval: 200 })
      .toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => l.msg === 'lost the connection to FreeSWITCH: reconnecting')).toBe(true);

    const caller2 = await CallerMedia.open();
    onTestFinished(() => caller2.close());
    h.app.on('/voice', respond('<Say>Welcome back.</Say><Hangup/>'));
    const second = await (await h.call({ scenario: 'answered', user: 'restart', media: caller2 })).done;
    expect(second.exitCode, describeSipp(second)).toBe(0);
    expect(findMessages(second.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' }).length).toBeGreaterThanOrEqual(1);
    expect(caller2.packetsOf(PT_PCMU).length).toBeGreaterThan(20);
  });
});
