/**
 * media.driver 'freeswitch' with the FreeSWITCH server down when the engine
 * starts: the engine starts all the same, logs a warning naming the server
 * and the reason, and answers calls 503 Service Unavailable (no media server
 * can take them) while it keeps trying in the background. Needs no
 * FreeSWITCH: the server's port is closed.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, it } from 'vitest';
import { describeSipp } from '../../support/sipp.js';
import { findMessages } from '../../support/sipp-trace.js';
import { noContent, respond } from '../../router/helpers/app-server.js';
import { CallerMedia } from '../../router/helpers/caller-media.js';
import { startRouter } from '../../router/helpers/router-harness.js';

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

describe('FreeSWITCH unreachable at start', () => {
  it('the engine starts, logs the server and why, and answers calls 503; it keeps retrying', async ({ expect, onTestFinished }) => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write: (chunk: Buffer, _enc, done) => {
          lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
          done();
        },
      }),
    );
    const port = await closedPort();
    const h = await startRouter({
      applications: [{ id: 'fs-down', voice: '/voice', statusCallback: '/status', statusCallbackEvents: ['completed'] }],
      media: { driver: 'freeswitch', freeswitch: { servers: [{ address: '127.0.0.1', port, secret: 'ClueCon' }], reconnectIntervalMs: 200 } },
      logger,
    });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    h.app.on('/voice', respond('<Say>never heard</Say>'));
    h.app.on('/status', noContent());

    const warning = lines.find((l) => l.msg === 'FreeSWITCH is not available: retrying');
    expect(warning).toMatchObject({ level: 40, server: `127.0.0.1:${port}`, configKey: 'media.freeswitch.servers[0]' });
    expect(String(warning?.reason)).toContain('connection refused');

    const result = await (await h.call({ scenario: 'error', user: 'fs-down', media })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const finals = findMessages(result.trace, { direction: 'received', cseqMethod: 'INVITE' }).filter((m) => (m.status ?? 0) >= 200);
    expect([...new Set(finals.map((m) => m.status))]).toEqual([503]);
    expect(media.packets).toHaveLength(0);
    const status = await h.app.waitFor((r) => r.pathname === '/status', 5000, 'status callback');
    expect(status.params.CallStatus).toBe('failed');
    expect(status.params.SipResponseCode).toBe('503');

    // Still retrying, quietly: the same reason again is logged at debug level.
    await expect.poll(() => lines.filter((l) => l.msg === 'FreeSWITCH is not available: retrying' && l.level === 20).length, { timeout: 3000 }).toBeGreaterThan(0);
    expect(h.engine.stats().endpoints).toBe(0);
  });
});
