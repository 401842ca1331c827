/**
 * A lost 200 OK (RFC 3261 §13.3.1.4): the caller never ACKs the first 2xx;
 * the server, on behalf of the application's createUAS, sends it again T1
 * later (doubling up to T2) until the ACK arrives. With the default
 * T1 = 500 ms the retransmission must arrive roughly half a second later.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Srf from 'drachtio-srf';
import { describeSipp, runSipp, stopAllSipp } from '../../support/sipp.js';
import { findMessages } from '../../support/sipp-trace.js';
import { startSrfHarness, type SipTimers, type SrfHarness } from '../../support/srf-app.js';
import { deferred, within } from '../../support/deferred.js';
import { APP_SDP, idleDeadlineMs, scenario, tagOf } from './fixtures.js';
import { drachtio } from './harness.js';

/** RFC 3261 defaults; the point of this test is the real T1. */
const RFC_TIMERS: Required<SipTimers> = { t1: 500, t2: 4000, t4: 5000, d: 32_000 };

let h: SrfHarness | undefined;

beforeEach(async () => {
  if (!drachtio) h = await startSrfHarness({ timers: RFC_TIMERS });
});

afterEach(async () => {
  await stopAllSipp();
  await h?.stop();
  h = undefined;
});

// Skipped against drachtio-server: it needs the embedded server set to RFC 3261's default
// timers, while a drachtio-server under test runs with the other tests' short ones.
describe.skipIf(drachtio)('2xx retransmission when the first 200 OK is lost', () => {
  it('sends the same 200 OK again after about T1, then completes on the ACK', { timeout: idleDeadlineMs(RFC_TIMERS) + 20_000 }, async () => {
    if (!h) throw new Error('no harness');
    const { srf } = h;
    const acked = deferred<Srf.SrfRequest>();
    const destroyed = deferred<Srf.SrfRequest>();
    srf.invite((req, res) => {
      srf.createUAS(req, res, { localSdp: APP_SDP }).then(
        (dialog) => {
          dialog.on('ack', (ack) => acked.resolve(ack));
          dialog.on('destroy', (bye) => destroyed.resolve(bye));
        },
        (err: unknown) => acked.reject(err instanceof Error ? err : new Error(String(err))),
      );
    });

    // -nr: SIPp must not absorb the identical second 200 as a retransmission itself.
    // -d: a call of 100 ms; drachtio-srf emits a dialog's 'ack' on the next
    // event-loop turn and drops it when a BYE is handled first.
    const result = await runSipp({
      scenario: scenario('uac-ignore-first-200'),
      remote: h.sipTarget('udp'),
      extraArgs: ['-nr', '-d', '100'],
    });
    expect(result.exitCode, describeSipp(result)).toBe(0);

    const oks = findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' });
    expect(oks.length, describeSipp(result)).toBeGreaterThanOrEqual(2);
    const [first, second] = oks;
    // The same response: same To tag, same body.
    expect(tagOf(second!.header('To'))).toBe(tagOf(first!.header('To')));
    expect(second!.body).toBe(first!.body);
    expect(second!.body).toContain('s=dialtone-app');
    const gap = second!.time - first!.time;
    expect(gap, `second 200 OK ${gap.toFixed(1)} ms after the first`).toBeGreaterThanOrEqual(400);
    expect(gap, `second 200 OK ${gap.toFixed(1)} ms after the first`).toBeLessThanOrEqual(1500);

    // The ACK reached the app only once the caller sent it, after the retransmission.
    const ackSent = findMessages(result.trace, { direction: 'sent', method: 'ACK' });
    expect(ackSent).toHaveLength(1);
    expect(ackSent[0]!.time).toBeGreaterThanOrEqual(second!.time);
    await within(acked.promise, 2000, 'the ACK at the app');
    expect((await within(destroyed.promise, 2000, 'destroy after BYE')).method).toBe('BYE');

    // Timers H/J/L are 64*T1 = 32 s here: wait for them rather than a fixed time.
    await h.waitForIdle(idleDeadlineMs(RFC_TIMERS));
  });
});
