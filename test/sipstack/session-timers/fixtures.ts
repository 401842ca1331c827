/**
 * The session timer tests' server: the embedded SIP server on ephemeral
 * ports with short transaction timers and session timers that accept
 * intervals down to one second (`minSE`), a drachtio-srf application
 * connected to it, and SIPp processes, all torn down when a test ends.
 */
import { test } from 'vitest';
import type Srf from 'drachtio-srf';
import { SipServer } from '../../../engine/sipstack/sip-server.js';
import type { SipServerOptionsInput } from '../../../config/sip-server-options.js';
import { SippSession } from '../../support/sipp.js';
import { connectSrf } from '../../support/srf-app.js';
import { waitUntil } from '../../support/ports.js';
import { FAST_TIMERS, sippFixture } from '../integration/fixtures.js';

export { APP_SDP, scenario, tagOf, uriOf } from '../integration/fixtures.js';

export interface TimerServer {
  server: SipServer;
  srf: Srf;
  /** host:port of the UDP listener, for SIPp's remote argument. */
  target: string;
  /** host:port of the listener for a transport. */
  targetFor(transport: 'udp' | 'tcp'): string;
  /** Waits until the server holds no dialog and no transaction. */
  waitForIdle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startTimerServer(sessionTimers: SipServerOptionsInput['sessionTimers'] = { minSE: 1 }): Promise<TimerServer> {
  const server = new SipServer({
    sip: { address: '127.0.0.1', port: 0, transports: ['udp', 'tcp'] },
    admin: { address: '127.0.0.1', port: 0, secret: 'cymru' },
    timers: FAST_TIMERS,
    sessionTimers,
  });
  const info = await server.start();
  let srf: Srf;
  try {
    srf = await connectSrf(info.admin.address, info.admin.port);
  } catch (err) {
    await server.stop();
    throw err;
  }
  srf.on('error', () => undefined);
  const targetFor = (transport: 'udp' | 'tcp'): string => {
    const l = info.sip.find((b) => b.protocol === transport)?.local;
    if (!l) throw new Error(`no ${transport} listener`);
    return `${l.address}:${l.port}`;
  };
  return {
    server,
    srf,
    target: targetFor('udp'),
    targetFor,
    async waitForIdle(timeoutMs = 64 * FAST_TIMERS.t1 + 3000) {
      await waitUntil(() => {
        const s = server.stats();
        return s.transactions === 0 && s.dialogs === 0 && s.sessionTimers === 0;
      }, timeoutMs, 'server idle');
    },
    async stop() {
      srf.disconnect();
      await server.stop();
    },
  };
}

/** A test with its own server (minSE 1 s) and SIPp processes. */
export const timerTest = test.extend<{ st: TimerServer; sipp: SippSession }>({
  // eslint-disable-next-line no-empty-pattern
  st: async ({}, use) => {
    const s = await startTimerServer();
    try {
      await use(s);
    } finally {
      await s.stop();
    }
  },
  sipp: sippFixture,
});
