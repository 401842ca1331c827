/**
 * Several overlapping calls from SIPp's built-in `uac` scenario to an app
 * that answers with createUAS: every call completes, nothing had to be
 * retransmitted on the loopback, and the server forgets them all.
 */
import { describe } from 'vitest';
import type Srf from 'drachtio-srf';
import { describeSipp, type SippTransport } from '../../support/sipp.js';
import { findMessages } from '../../support/sipp-trace.js';
import { APP_SDP, FAST_TIMERS, idleDeadlineMs, serverTest } from './fixtures.js';

const CALLS = 40;

describe.concurrent.each<SippTransport>(['udp', 'tcp'])(`${CALLS} calls from the built-in SIPp uac over %s`, (transport) => {
  serverTest('all complete with no retransmission and leave no state', async ({ harness: h, sipp, expect }) => {
    const { srf } = h;
    const destroyed = new Set<string>();
    srf.invite((req, res) => {
      srf.createUAS(req, res, { localSdp: APP_SDP }).then(
        (dialog: Srf.Dialog) => dialog.on('destroy', () => destroyed.add(dialog.sip.callId)),
        () => undefined,
      );
    });

    // 40 calls at 40 per second, each held 200 ms: up to ~10 at once.
    const result = await sipp.run({
      scenario: { builtin: 'uac' },
      remote: h.sipTarget(transport),
      transport,
      calls: CALLS,
      rate: CALLS,
      limit: CALLS,
      extraArgs: ['-d', '200'],
      timeoutSeconds: 20,
    });
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(result.stats).toMatchObject({ successfulCalls: CALLS, failedCalls: 0, retransmissions: 0 });
    const answers = findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' });
    expect(new Set(answers.map((m) => m.header('Call-ID'))).size).toBe(CALLS);
    expect(answers.every((m) => m.body.includes('s=dialtone-app'))).toBe(true);
    expect(destroyed.size).toBe(CALLS);

    await h.waitForIdle(idleDeadlineMs(FAST_TIMERS));
  });
});
