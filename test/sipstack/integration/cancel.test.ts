/**
 * CANCEL before answer (RFC 3261 §9.2): the caller (SIPp) cancels after 180;
 * the server answers the CANCEL with 200 and the INVITE with 487, and the
 * application's request emits 'cancel'.
 */
import { describe } from 'vitest';
import type Srf from 'drachtio-srf';
import { describeSipp, type SippTransport } from '../../support/sipp.js';
import { findMessages } from '../../support/sipp-trace.js';
import { deferred, within } from '../../support/deferred.js';
import { FAST_TIMERS, idleDeadlineMs, scenario, tagOf, serverTest } from './fixtures.js';

describe.concurrent.each<SippTransport>(['udp', 'tcp'])('CANCEL before answer over %s', (transport) => {
  serverTest('SIPp gets 200 for the CANCEL and 487 for the INVITE; the app sees the cancel', async ({ harness: h, sipp, expect }) => {
    const { srf } = h;
    const canceled = deferred<Srf.SipMessage>();
    const invited = deferred<Srf.SrfRequest>();
    srf.invite((req, res) => {
      invited.resolve(req);
      req.on('cancel', (cancelMsg) => canceled.resolve(cancelMsg));
      // Ring, and never answer.
      res.send(180);
    });

    const result = await sipp.run({ scenario: scenario('uac-cancel-after-ringing'), remote: h.sipTarget(transport), transport });
    expect(result.exitCode, describeSipp(result)).toBe(0);

    const ringing = findMessages(result.trace, { direction: 'received', status: 180 })[0];
    expect(ringing, describeSipp(result)).toBeDefined();
    const cancelOk = findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'CANCEL' });
    expect(cancelOk, describeSipp(result)).toHaveLength(1);
    const terminated = findMessages(result.trace, { direction: 'received', status: 487, cseqMethod: 'INVITE' });
    expect(terminated.length, describeSipp(result)).toBeGreaterThanOrEqual(1);
    // The 487 ends the same dialog attempt the 180 began: same To tag.
    expect(tagOf(terminated[0]!.header('To'))).toBe(tagOf(ringing!.header('To')));
    expect(findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' })).toHaveLength(0);

    const invite = await invited.promise;
    expect(invite.get('Subject')).toBe('cancel');
    await within(canceled.promise, 2000, "the request's cancel event");

    await h.waitForIdle(idleDeadlineMs(FAST_TIMERS));
  });
});
