/**
 * Calls that fail with a non-2xx final response, in both directions. The
 * ACK for a non-2xx belongs to the INVITE transaction (RFC 3261 §17.1.1.3):
 * the server absorbs the caller's ACK, and sends the ACK itself when the
 * application's outbound call is rejected.
 */
import { describe } from 'vitest';
import { describeSipp, type SippTransport } from '../../support/sipp.js';
import { findMessages } from '../../support/sipp-trace.js';
import { APP_SDP, FAST_TIMERS, idleDeadlineMs, scenario, tagOf, uriOf, serverTest } from './fixtures.js';

function branchOf(via: string | undefined): string | undefined {
  return via ? /;\s*branch=([^;\s]+)/i.exec(via)?.[1] : undefined;
}

describe.concurrent.each<SippTransport>(['udp', 'tcp'])('rejected calls over %s', (transport) => {
  serverTest('inbound: the app answers 486, SIPp receives it once ACKed, nothing lingers', async ({ harness: h, sipp, expect }) => {
    const { srf } = h;
    srf.invite((_req, res) => {
      res.send(486, 'Busy Here', { headers: { 'X-Reason': 'busy-test' } });
    });

    const result = await sipp.run({ scenario: scenario('uac-rejected'), remote: h.sipTarget(transport), transport });
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const busy = findMessages(result.trace, { direction: 'received', status: 486 });
    expect(busy.length, describeSipp(result)).toBeGreaterThanOrEqual(1);
    expect(busy[0]!.header('X-Reason')).toBe('busy-test');
    expect(tagOf(busy[0]!.header('To'))).toBeTruthy();
    expect(busy[0]!.header('CSeq')).toBe('1 INVITE');

    await h.waitForIdle(idleDeadlineMs(FAST_TIMERS));
  });

  // Over UDP the INVITE client transaction then waits out Timer D.
  const idleAfterRejection = idleDeadlineMs(FAST_TIMERS, { timerD: transport === 'udp' });

  serverTest('outbound: createUAC rejects with the 486 and the server ACKs it on the INVITE branch', { timeout: idleAfterRejection + 15_000 }, async ({ harness: h, sipp, expect }) => {
    const { srf } = h;
    const uas = await sipp.start({ scenario: scenario('uas-reject'), transport });

    const failure: unknown = await srf.createUAC(uriOf(uas), { localSdp: APP_SDP }).then(
      () => new Error('createUAC resolved for a rejected call'),
      (err: unknown) => err,
    );
    expect(failure).toMatchObject({ status: 486 });

    const result = await uas.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const invite = findMessages(result.trace, { direction: 'received', method: 'INVITE' })[0];
    const ack = findMessages(result.trace, { direction: 'received', method: 'ACK' })[0];
    const busy = findMessages(result.trace, { direction: 'sent', status: 486 })[0];
    expect(ack, describeSipp(result)).toBeDefined();
    expect(branchOf(ack!.header('Via'))).toBe(branchOf(invite!.header('Via')));
    expect(ack!.firstLine).toBe(invite!.firstLine.replace(/^INVITE/, 'ACK'));
    expect(ack!.header('CSeq')).toBe(`${invite!.header('CSeq')!.split(' ')[0]} ACK`);
    expect(tagOf(ack!.header('To'))).toBe(tagOf(busy!.header('To')));
    expect(ack!.header('Call-ID')).toBe(invite!.header('Call-ID'));

    await h.waitForIdle(idleAfterRejection);
  });
});
