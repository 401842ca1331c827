/**
 * An inbound call through the embedded SIP server to a drachtio-srf
 * application that answers with createUAS, while SIPp plays the caller; the
 * call is hung up by the caller (the app's dialog emits 'destroy') or by the
 * app (dialog.destroy(): SIPp receives BYE and answers it).
 */
import { describe } from 'vitest';
import type Srf from 'drachtio-srf';
import { describeSipp, type SippTransport } from '../../support/sipp.js';
import { findMessages } from '../../support/sipp-trace.js';
import { destroyDialog } from '../../support/srf-app.js';
import { deferred, within } from '../../support/deferred.js';
import { APP_SDP, FAST_TIMERS, idleDeadlineMs, scenario, tagOf, serverTest } from './fixtures.js';

interface AnsweredCall {
  invite: Promise<Srf.SrfRequest>;
  dialog: Promise<Srf.Dialog>;
  ack: Promise<Srf.SrfRequest>;
  destroyed: Promise<Srf.SrfRequest>;
}

/** The application: answers every INVITE with APP_SDP and reports what happens to the dialog. */
function answerCalls(srf: Srf): AnsweredCall {
  const invite = deferred<Srf.SrfRequest>();
  const dialog = deferred<Srf.Dialog>();
  const ack = deferred<Srf.SrfRequest>();
  const destroyed = deferred<Srf.SrfRequest>();
  srf.invite((req, res) => {
    invite.resolve(req);
    srf.createUAS(req, res, { localSdp: APP_SDP }).then(
      (d) => {
        d.on('ack', (ackReq) => ack.resolve(ackReq));
        d.on('destroy', (bye) => destroyed.resolve(bye));
        dialog.resolve(d);
      },
      (err: unknown) => dialog.reject(err instanceof Error ? err : new Error(String(err))),
    );
  });
  return { invite: invite.promise, dialog: dialog.promise, ack: ack.promise, destroyed: destroyed.promise };
}

describe.concurrent.each<SippTransport>(['udp', 'tcp'])('inbound call answered with createUAS over %s', (transport) => {
  serverTest('the caller hangs up: 200 OK carries a To tag, Contact and the app SDP; the app gets the ACK and a destroy event', async ({ harness: h, sipp, expect }) => {
    const { srf } = h;
    const call = answerCalls(srf);

    const result = await sipp.run({
      scenario: scenario('uac-call-local-bye'),
      remote: h.sipTarget(transport),
      transport,
      extraArgs: ['-d', '100'],
    });
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(result.stats?.successfulCalls).toBe(1);

    // What SIPp saw: the answer.
    const ok = findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' });
    expect(ok.length, describeSipp(result)).toBeGreaterThanOrEqual(1);
    const answer = ok[0]!;
    expect(tagOf(answer.header('To'))).toBeTruthy();
    expect(answer.header('Contact')).toMatch(/<?sips?:[^>]*127\.0\.0\.1/);
    expect(answer.header('Content-Type')).toMatch(/application\/sdp/i);
    expect(answer.body).toContain('s=dialtone-app');
    expect(answer.body).toContain('m=audio 40000 RTP/AVP 0');
    const bye200 = findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'BYE' });
    expect(bye200, describeSipp(result)).toHaveLength(1);

    // What the application saw.
    const invite = await call.invite;
    expect(invite.method).toBe('INVITE');
    expect(invite.get('Subject')).toBe('local-bye');
    expect(invite.body).toContain('s=sipp-uac');
    const sent = findMessages(result.trace, { direction: 'sent', method: 'INVITE' })[0]!;
    expect(invite.get('Call-ID')).toBe(sent.header('Call-ID'));
    const ack = await within(call.ack, 2000, 'the ACK at the app');
    expect(ack.method).toBe('ACK');
    const bye = await within(call.destroyed, 2000, "the dialog's destroy event");
    expect(bye.method).toBe('BYE');
    const dialog = await call.dialog;
    expect(dialog.sip.localTag).toBe(tagOf(answer.header('To')));

    await h.waitForIdle(idleDeadlineMs(FAST_TIMERS));
  });

  serverTest('the app hangs up with dialog.destroy(): SIPp receives an in-dialog BYE and answers 200', async ({ harness: h, sipp, expect }) => {
    const { srf } = h;
    const call = answerCalls(srf);
    const byeSent = deferred<Srf.SrfRequest>();
    call.ack
      .then(async () => byeSent.resolve(await destroyDialog(await call.dialog)))
      .catch((err: unknown) => byeSent.reject(err instanceof Error ? err : new Error(String(err))));

    const result = await sipp.run({
      scenario: scenario('uac-call-remote-bye'),
      remote: h.sipTarget(transport),
      transport,
    });
    expect(result.exitCode, describeSipp(result)).toBe(0);

    const answer = findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' })[0];
    expect(answer?.body).toContain('s=dialtone-app');
    const byes = findMessages(result.trace, { direction: 'received', method: 'BYE' });
    expect(byes.length, describeSipp(result)).toBeGreaterThanOrEqual(1);
    const bye = byes[0]!;
    const invite = findMessages(result.trace, { direction: 'sent', method: 'INVITE' })[0]!;
    // RFC 3261 §12.2.1.1: request URI is the remote target (SIPp's Contact), tags swapped, same Call-ID.
    expect(bye.firstLine).toMatch(new RegExp(`^BYE sip:sipp@127\\.0\\.0\\.1:\\d+;transport=${transport} SIP/2\\.0$`, 'i'));
    expect(tagOf(bye.header('From'))).toBe(tagOf(answer?.header('To')));
    expect(tagOf(bye.header('To'))).toBe(tagOf(invite.header('From')));
    expect(bye.header('Call-ID')).toBe(invite.header('Call-ID'));
    expect(bye.header('Via')).toMatch(new RegExp(`^SIP/2\\.0/${transport} `, 'i'));

    const sentBye = await within(byeSent.promise, 2000, 'dialog.destroy() to resolve');
    expect(sentBye.method).toBe('BYE');

    await h.waitForIdle(idleDeadlineMs(FAST_TIMERS));
  });
});
