/**
 * Outbound calls off the happy path: the app cancels its own INVITE after
 * 180, a B2BUA passes the caller's CANCEL on to the callee, and a callee
 * that repeats its 200 OK gets a second ACK.
 */
import { describe } from 'vitest';
import type Srf from 'drachtio-srf';
import { describeSipp, type SippTransport } from '../../support/sipp.js';
import { findMessages } from '../../support/sipp-trace.js';
import { deferred, within } from '../../support/deferred.js';
import { APP_SDP, FAST_TIMERS, idleDeadlineMs, scenario, tagOf, uriOf, serverTest } from './fixtures.js';
import { drachtio } from './harness.js';

function branchOf(via: string | undefined): string | undefined {
  return via ? /;\s*branch=([^;\s]+)/i.exec(via)?.[1] : undefined;
}

describe.concurrent.each<SippTransport>(['udp', 'tcp'])('outbound edge cases over %s', (transport) => {
  // After a 487 over UDP the INVITE client transaction waits out Timer D.
  const idleAfterFailure = idleDeadlineMs(FAST_TIMERS, { timerD: transport === 'udp' });

  serverTest('the app cancels its INVITE after 180: SIPp gets a CANCEL on the INVITE branch, createUAC fails with 487', { timeout: idleAfterFailure + 15_000 }, async ({ harness: h, sipp, expect }) => {
    const { srf } = h;
    const uas = await sipp.start({ scenario: scenario('uas-ring-cancelled'), transport });
    let invite: Srf.SrfRequest | undefined;
    // drachtio-srf calls cbRequest(err, req); its typings say cbRequest(req).
    const onRequest = (_err: unknown, req: Srf.SrfRequest): void => { invite = req; };

    const failure: unknown = await srf.createUAC(uriOf(uas), { localSdp: APP_SDP }, {
      cbRequest: onRequest as unknown as (req: Srf.SrfRequest) => void,
      cbProvisional: (res: Srf.SrfResponse) => {
        if (res.status === 180) invite?.cancel(() => undefined);
      },
    }).then(() => new Error('createUAC resolved for a cancelled call'), (err: unknown) => err);
    expect(failure).toMatchObject({ status: 487 });

    const result = await uas.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const sentInvite = findMessages(result.trace, { direction: 'received', method: 'INVITE' })[0]!;
    const cancel = findMessages(result.trace, { direction: 'received', method: 'CANCEL' })[0];
    expect(cancel, describeSipp(result)).toBeDefined();
    // RFC 3261 §9.1: same Request-URI, Call-ID, From, To, CSeq number and top Via branch as the INVITE.
    expect(cancel!.firstLine).toBe(sentInvite.firstLine.replace(/^INVITE/, 'CANCEL'));
    expect(branchOf(cancel!.header('Via'))).toBe(branchOf(sentInvite.header('Via')));
    expect(cancel!.header('CSeq')).toBe(`${sentInvite.header('CSeq')!.split(' ')[0]} CANCEL`);
    expect(cancel!.header('Call-ID')).toBe(sentInvite.header('Call-ID'));
    expect(tagOf(cancel!.header('From'))).toBe(tagOf(sentInvite.header('From')));
    const ack = findMessages(result.trace, { direction: 'received', method: 'ACK' })[0];
    expect(branchOf(ack?.header('Via'))).toBe(branchOf(sentInvite.header('Via')));

    await h.waitForIdle(idleAfterFailure);
  });

  serverTest("a B2BUA passes the caller's CANCEL on to the callee", { timeout: idleAfterFailure + 15_000 }, async ({ harness: h, sipp, expect }) => {
    const { srf } = h;
    const callee = await sipp.start({ scenario: scenario('uas-ring-cancelled'), transport });
    const outcome = deferred<unknown>();
    srf.invite((req, res) => {
      srf.createB2BUA(req, res, uriOf(callee), { localSdpB: req.body }).then(
        () => outcome.reject(new Error('createB2BUA connected a cancelled call')),
        (err: unknown) => outcome.resolve(err),
      );
    });

    const caller = await sipp.run({ scenario: scenario('uac-cancel-after-ringing'), remote: h.sipTarget(transport), transport });
    const calleeResult = await callee.done;
    expect(caller.exitCode, describeSipp(caller)).toBe(0);
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);
    expect(findMessages(caller.trace, { direction: 'received', status: 487 }).length).toBeGreaterThanOrEqual(1);
    expect(findMessages(calleeResult.trace, { direction: 'received', method: 'CANCEL' })).toHaveLength(1);
    expect(findMessages(calleeResult.trace, { direction: 'received', method: 'ACK' }).length).toBeGreaterThanOrEqual(1);
    await within(outcome.promise, 2000, 'createB2BUA to fail');

    await h.waitForIdle(idleAfterFailure);
  });

  // drachtio-server does not ACK a repeated 2xx that arrives over TCP (it does over UDP), though
  // §13.2.2.4 says the UAC core MUST ACK each 2xx: a drachtio-server bug, so skipped against it there.
  serverTest.skipIf(drachtio !== undefined && transport === 'tcp')('a repeated 200 OK from the callee is ACKed again (RFC 3261 13.2.2.4)', async ({ harness: h, sipp, expect }) => {
    const { srf } = h;
    // -nr: see the scenario's comment.
    const uas = await sipp.start({ scenario: scenario('uas-repeat-200-then-bye'), transport, extraArgs: ['-nr'] });
    const destroyed = deferred<Srf.SrfRequest>();

    const dialog = await srf.createUAC(uriOf(uas), { localSdp: APP_SDP });
    dialog.on('destroy', (bye) => destroyed.resolve(bye));
    expect(dialog.remote.sdp).toContain('s=sipp-uas');

    const result = await uas.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const oks = findMessages(result.trace, { direction: 'sent', status: 200, cseqMethod: 'INVITE' });
    expect(oks).toHaveLength(2);
    expect(oks[1]!.text).toBe(oks[0]!.text);
    const acks = findMessages(result.trace, { direction: 'received', method: 'ACK' });
    expect(acks, describeSipp(result)).toHaveLength(2);
    expect(acks[1]!.header('CSeq')).toBe(acks[0]!.header('CSeq'));
    expect((await within(destroyed.promise, 2000, "the dialog's destroy event")).method).toBe('BYE');
    expect(findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'BYE' })).toHaveLength(1);

    await h.waitForIdle(idleDeadlineMs(FAST_TIMERS));
  });
});
