/**
 * Session modification with re-INVITE (RFC 3261 §14) in both directions:
 * from the far end (the app's dialog emits 'modify' and answers it), and
 * from the app (dialog.modify(sdp) resolves with the far end's new SDP).
 */
import { describe } from 'vitest';
import type Srf from 'drachtio-srf';
import { describeSipp, type SippTransport } from '../../support/sipp.js';
import { findMessages } from '../../support/sipp-trace.js';
import { destroyDialog } from '../../support/srf-app.js';
import { deferred, within } from '../../support/deferred.js';
import { APP_SDP, APP_SDP_2, FAST_TIMERS, idleDeadlineMs, scenario, tagOf, uriOf, serverTest } from './fixtures.js';

describe.concurrent.each<SippTransport>(['udp', 'tcp'])('re-INVITE over %s', (transport) => {
  serverTest("from the far end: the dialog emits 'modify', the app answers, SIPp gets 200 with the new SDP", async ({ harness: h, sipp, expect }) => {
    const { srf } = h;
    const reoffer = deferred<string>();
    const destroyed = deferred<Srf.SrfRequest>();
    srf.invite((req, res) => {
      srf.createUAS(req, res, { localSdp: APP_SDP }).then(
        (dialog) => {
          dialog.on('modify', (modReq, modRes) => {
            reoffer.resolve(modReq.body);
            modRes.send(200, { body: APP_SDP_2, headers: { 'Content-Type': 'application/sdp' } });
          });
          dialog.on('destroy', (bye) => destroyed.resolve(bye));
        },
        (err: unknown) => reoffer.reject(err instanceof Error ? err : new Error(String(err))),
      );
    });

    const result = await sipp.run({ scenario: scenario('uac-reinvite'), remote: h.sipTarget(transport), transport });
    expect(result.exitCode, describeSipp(result)).toBe(0);

    const answers = findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' });
    const first = answers.find((m) => m.header('CSeq')?.startsWith('1 '));
    const second = answers.find((m) => m.header('CSeq')?.startsWith('2 '));
    expect(first?.body, describeSipp(result)).toContain('s=dialtone-app');
    expect(second?.body, describeSipp(result)).toContain('s=dialtone-app-2');
    expect(second?.body).toContain('m=audio 40002 RTP/AVP 0');
    expect(second?.header('Contact')).toBeTruthy();
    // Same dialog: the To tag does not change.
    expect(tagOf(second?.header('To'))).toBe(tagOf(first?.header('To')));

    const body = await within(reoffer.promise, 2000, "the dialog's modify event");
    expect(body).toContain('s=sipp-reoffer');
    expect((await within(destroyed.promise, 2000, 'destroy after BYE')).method).toBe('BYE');

    await h.waitForIdle(idleDeadlineMs(FAST_TIMERS));
  });

  serverTest("from the app: dialog.modify(sdp) resolves with the far end's SDP", async ({ harness: h, sipp, expect }) => {
    const { srf } = h;
    const uas = await sipp.start({ scenario: scenario('uas-answer-reinvite'), transport });

    const dialog = await srf.createUAC(uriOf(uas), { localSdp: APP_SDP });
    expect(dialog.remote.sdp).toContain('s=sipp-uas');
    const remoteSdp = await dialog.modify(APP_SDP_2);
    expect(remoteSdp).toContain('s=sipp-uas-reanswer');
    expect(dialog.remote.sdp).toContain('s=sipp-uas-reanswer');
    await destroyDialog(dialog);

    const result = await uas.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const invites = findMessages(result.trace, { direction: 'received', method: 'INVITE' });
    expect(invites.length, describeSipp(result)).toBeGreaterThanOrEqual(2);
    const [initial, reinvite] = invites;
    expect(reinvite!.body).toContain('s=dialtone-app-2');
    // RFC 3261 §12.2.1.1: in-dialog request to the remote target, with both tags and a higher CSeq.
    expect(reinvite!.firstLine).toMatch(new RegExp(`^INVITE sip:sipp@127\\.0\\.0\\.1:\\d+;transport=${transport} SIP/2\\.0$`, 'i'));
    expect(tagOf(reinvite!.header('To'))).toBe(dialog.sip.remoteTag);
    expect(tagOf(reinvite!.header('From'))).toBe(tagOf(initial!.header('From')));
    expect(reinvite!.header('Call-ID')).toBe(initial!.header('Call-ID'));
    const cseq = (m: typeof initial): number => Number(m?.header('CSeq')?.split(' ')[0]);
    expect(cseq(reinvite)).toBeGreaterThan(cseq(initial));
    expect(findMessages(result.trace, { direction: 'received', method: 'ACK' }).length).toBeGreaterThanOrEqual(2);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' }).length).toBeGreaterThanOrEqual(1);

    await h.waitForIdle(idleDeadlineMs(FAST_TIMERS));
  });
});
