/**
 * srf.createB2BUA between a SIPp caller and a SIPp callee through the
 * embedded SIP server: both legs complete, and the caller's BYE is passed on
 * to the callee by the application.
 */
import { describe } from 'vitest';
import type Srf from 'drachtio-srf';
import { describeSipp, type SippTransport } from '../../support/sipp.js';
import { findMessages } from '../../support/sipp-trace.js';
import { deferred, within } from '../../support/deferred.js';
import { FAST_TIMERS, idleDeadlineMs, scenario, uriOf, serverTest } from './fixtures.js';

describe.concurrent.each<SippTransport>(['udp', 'tcp'])('createB2BUA between a SIPp UAC and a SIPp UAS over %s', (transport) => {
  serverTest('connects both legs with each side SDP and propagates the BYE', async ({ harness: h, sipp, expect }) => {
    const { srf } = h;
    const callee = await sipp.start({ scenario: scenario('uas-answer'), transport });
    const legs = deferred<{ uas: Srf.Dialog; uac: Srf.Dialog }>();
    const aHungUp = deferred<Srf.SrfRequest>();

    srf.invite((req, res) => {
      srf.createB2BUA(req, res, uriOf(callee), { localSdpB: req.body }).then(
        (pair) => {
          // The app's job: when one leg hangs up, hang up the other.
          pair.uas.on('destroy', (bye) => {
            aHungUp.resolve(bye);
            pair.uac.destroy(undefined, () => undefined);
          });
          pair.uac.on('destroy', () => pair.uas.destroy(undefined, () => undefined));
          legs.resolve(pair);
        },
        (err: unknown) => legs.reject(err instanceof Error ? err : new Error(String(err))),
      );
    });

    const caller = await sipp.run({
      scenario: scenario('uac-call-local-bye'),
      remote: h.sipTarget(transport),
      transport,
      extraArgs: ['-d', '100'],
    });
    const calleeResult = await callee.done;
    expect(caller.exitCode, describeSipp(caller)).toBe(0);
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);

    // The callee got the caller's offer; the caller got the callee's answer.
    const bInvite = findMessages(calleeResult.trace, { direction: 'received', method: 'INVITE' })[0];
    expect(bInvite?.body).toContain('s=sipp-uac');
    const aAnswer = findMessages(caller.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' })[0];
    expect(aAnswer?.body).toContain('s=sipp-uas');
    // Two dialogs, two Call-IDs.
    const aInvite = findMessages(caller.trace, { direction: 'sent', method: 'INVITE' })[0];
    expect(bInvite?.header('Call-ID')).not.toBe(aInvite?.header('Call-ID'));
    // BYE propagated to the callee, and answered.
    expect(findMessages(calleeResult.trace, { direction: 'received', method: 'BYE' }).length).toBeGreaterThanOrEqual(1);
    expect(findMessages(calleeResult.trace, { direction: 'sent', status: 200, cseqMethod: 'BYE' }).length).toBeGreaterThanOrEqual(1);

    const { uas, uac } = await within(legs.promise, 2000, 'createB2BUA to resolve');
    expect(uas.remote.sdp).toContain('s=sipp-uac');
    expect(uac.remote.sdp).toContain('s=sipp-uas');
    expect((await within(aHungUp.promise, 2000, 'A leg destroy')).method).toBe('BYE');

    await h.waitForIdle(idleDeadlineMs(FAST_TIMERS));
  });
});
