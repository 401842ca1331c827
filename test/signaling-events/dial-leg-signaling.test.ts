/**
 * Signaling events of a call the engine places (a <Dial> leg): the 18x with
 * SDP and the 200 of its INVITE, the called party's BYE inside the leg, and
 * the BYE the engine sends to the caller, each with the right CallSid.
 */
import { describe, it } from 'vitest';
import { describeSipp } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { respond, noContent, type AppRequest } from '../router/helpers/app-server.js';
import { CallerMedia } from '../router/helpers/caller-media.js';
import { startCallee } from '../router/helpers/dial-callee.js';
import { AUTH_TOKEN, startRouter } from '../router/helpers/router-harness.js';
import { twilioAccepts } from '../router/helpers/signature.js';

describe('signaling events of a Dial leg', () => {
  it('18x and 200 of the leg INVITE, the called party\'s BYE, and the engine\'s BYE to the caller', async ({ expect, onTestFinished }) => {
    const h = await startRouter({
      applications: [
        {
          id: 'dialer',
          voice: '/voice',
          signalingEvents: [
            { id: 'progress', url: '/sig', match: { method: 'INVITE', status: '18x' }, include: { headers: ['Content-Type'] } },
            { id: 'answer', url: '/sig', match: { method: 'INVITE', status: '200-299' }, include: { bodyMaxBytes: 0 } },
            { id: 'bye', url: '/sig', match: { direction: 'any', method: 'BYE' } },
          ],
        },
      ],
    });
    onTestFinished(() => h.stop());
    const caller = await CallerMedia.open();
    onTestFinished(() => caller.close());
    const callee = await startCallee(h.sipp, 'router-uas-early-media', { hangup: 'callee', hangupAfterMs: 300 });
    onTestFinished(() => callee.media.close());
    h.app.on('/voice', respond(`<Dial><Sip>${callee.uri}</Sip></Dial><Hangup/>`));
    h.app.on('/sig', noContent());

    const result = await (await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const calleeResult = await callee.sipp.done;
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);

    const parentSid = h.app.to('/voice')[0]?.params.CallSid;
    const events = await h.app.waitForCount('/sig', 4, 10_000);
    for (const e of events) expect(twilioAccepts(e, AUTH_TOKEN)).toBe(true);
    const byRule = (id: string): AppRequest[] => events.filter((e) => e.params.RuleId === id);

    const [progress] = byRule('progress');
    expect(progress?.params).toMatchObject({ Direction: 'received', SipMethod: 'INVITE', SipResponseCode: '183', SipReasonPhrase: 'Session Progress', ParentCallSid: parentSid, SipContentType: 'application/sdp', SipSdpDirection: 'sendrecv' });
    expect(progress?.params.SipBody).toContain('m=audio');
    const legSid = progress?.params.CallSid;
    expect(legSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(legSid).not.toBe(parentSid);
    const calleeInvite = findMessages(calleeResult.trace, { direction: 'received', method: 'INVITE' })[0];
    expect(progress?.params.SipCallId).toBe(calleeInvite?.header('Call-ID'));

    const [answer] = byRule('answer');
    expect(answer?.params).toMatchObject({ CallSid: legSid, SipResponseCode: '200', SipMethod: 'INVITE', ParentCallSid: parentSid });
    expect(answer?.params.SipBody).toBeUndefined();
    expect(Number(answer?.params.SipBodyLength)).toBeGreaterThan(0);
    expect(Number(answer?.params.SequenceNumber)).toBeGreaterThan(Number(progress?.params.SequenceNumber));

    const byes = byRule('bye');
    expect(byes.find((e) => e.params.CallSid === legSid)?.params.Direction).toBe('received');
    // The caller got the engine's BYE after <Hangup/>: reported as sent, on the caller's call.
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);
    const sent = byes.find((e) => e.params.CallSid === parentSid);
    expect(sent?.params).toMatchObject({ Direction: 'sent', SipMethod: 'BYE', SipCallId: findMessages(result.trace, { direction: 'sent', method: 'INVITE' })[0]?.header('Call-ID') });
  });
});
