/**
 * Signaling events of inbound calls end to end: a SIPp caller sends INFO, a
 * hold re-INVITE and BYE with a Reason inside the call; the application's
 * server receives one signed callback per matching rule, in order. A slow
 * callback never delays the SIP answer, a callback answering <Response>
 * redirects the call, and a full queue drops events without harm.
 */
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { waitUntil } from '../support/ports.js';
import { describeSipp, type SippProcess } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { hang, noContent, respond, type AppRequest } from '../router/helpers/app-server.js';
import { CallerMedia } from '../router/helpers/caller-media.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter, type RouterHarness, type TestApplication } from '../router/helpers/router-harness.js';
import { twilioAccepts } from '../router/helpers/signature.js';

const scenario = (name: string): string => fileURLToPath(new URL(`../scenarios/${name}.xml`, import.meta.url));

/** The application: answers with a short prompt, then waits long enough for any test. */
const VOICE = respond('<Say>Hello.</Say><Pause length="30"/>');

const RULES: NonNullable<TestApplication['signalingEvents']> = [
  { id: 'info', url: '/sig', match: { method: 'INFO' }, include: { headers: ['Content-Type', 'X-Info-Tag'] } },
  { id: 'hold', url: '/sig', match: { method: 'INVITE' } },
  { id: 'bye', url: '/sig', match: { method: 'BYE', headers: { Reason: '/cause=16/' } }, include: { headers: ['Reason'] } },
];

async function setUp(
  onTestFinished: (fn: () => Promise<void> | void) => void,
  rules: NonNullable<TestApplication['signalingEvents']>,
  delivery?: Parameters<typeof startRouter>[0]['signalingEventDelivery'],
): Promise<{ h: RouterHarness; media: CallerMedia; call: (name: string) => Promise<SippProcess> }> {
  const h = await startRouter({ applications: [{ id: 'sig', voice: '/voice', signalingEvents: rules }], signalingEventDelivery: delivery });
  onTestFinished(() => h.stop());
  const media = await CallerMedia.open();
  onTestFinished(() => media.close());
  h.app.on('/voice', VOICE);
  const call = (name: string): Promise<SippProcess> =>
    h.sipp.start({ scenario: scenario(name), remote: h.sipTarget, service: 'sig', keys: media.sippKeys, timeoutSeconds: 20 });
  return { h, media, call };
}

const bySequence = (reqs: AppRequest[]): AppRequest[] => [...reqs].sort((a, b) => Number(a.params.SequenceNumber) - Number(b.params.SequenceNumber));

describe('signaling events of an inbound call', () => {
  it('INFO, hold re-INVITE and BYE with Reason each reach the callback, signed and in order', async ({ expect, onTestFinished }) => {
    const { h, call } = await setUp(onTestFinished, RULES);
    h.app.on('/sig', noContent());
    const result = await (await call('router-uac-signaling')).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);

    const events = await h.app.waitForCount('/sig', 3, 5000);
    const callSid = h.app.to('/voice')[0]?.params.CallSid;
    expect(callSid).toMatch(/^CA[0-9a-f]{32}$/);
    // Sent one at a time, in order: the arrival order is the sequence order.
    expect(events.map((e) => e.params.SequenceNumber)).toEqual(['0', '1', '2']);
    expect(events.map((e) => e.params.RuleId)).toEqual(['info', 'hold', 'bye']);
    for (const e of events) {
      expect(e.method).toBe('POST');
      expect(e.params.CallSid).toBe(callSid);
      expect(e.params.AccountSid).toBe(ACCOUNT_SID);
      expect(e.params.Direction).toBe('received');
      expect(e.params.SipCallId).toBe(result.trace.find((m) => m.method === 'INVITE')?.header('Call-ID'));
      expect(e.params.Timestamp).toMatch(/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000$/);
      expect(twilioAccepts(e, AUTH_TOKEN), 'X-Twilio-Signature').toBe(true);
    }
    const [info, hold, bye] = events as [AppRequest, AppRequest, AppRequest];
    expect(info.params.SipMethod).toBe('INFO');
    expect(info.params.SipBody).toBe('Signal=5\r\nDuration=160\r\n');
    expect(info.params.SipContentType).toBe('application/dtmf-relay');
    expect(info.params['SipHeader_Content-Type']).toBe('application/dtmf-relay');
    expect(info.params['SipHeader_X-Info-Tag']).toBe('tagged-info');

    expect(hold.params.SipMethod).toBe('INVITE');
    expect(hold.params.SipContentType).toBe('application/sdp');
    expect(hold.params.SipBody).toContain('a=sendonly');
    expect(hold.params.SipSdpDirection).toBe('sendonly');
    // The engine answered the hold like before: 200 with its SDP.
    const holdAnswer = findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' });
    expect(holdAnswer).toHaveLength(2);
    expect(holdAnswer[1]?.body).toContain('m=audio');

    expect(bye.params.SipMethod).toBe('BYE');
    expect(bye.params.SipHeader_Reason).toBe('Q.850;cause=16;text="Normal call clearing"');
    expect(bye.params.SipBody).toBeUndefined();
  });

  it('a callback that answers after 3 s does not delay the 200 OK to the INFO', async ({ expect, onTestFinished }) => {
    const { h, call } = await setUp(onTestFinished, [RULES[0]!]);
    h.app.on('/sig', (req) => (req.params.SipMethod === 'INFO' ? { kind: 'xml', body: '', delayMs: 3000 } : noContent()));
    const result = await (await call('router-uac-signaling')).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);

    const infoSent = findMessages(result.trace, { direction: 'sent', method: 'INFO' })[0];
    const infoOk = findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INFO' })[0];
    expect(infoSent && infoOk, describeSipp(result)).toBeTruthy();
    const ms = infoOk!.time - infoSent!.time;
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(ms).toBeLessThan(300);
    // The callback was made (before the caller's answer arrived) and was slow.
    const event = await h.app.waitFor((r) => r.pathname === '/sig', 5000, 'the INFO callback');
    expect(event.params.SipMethod).toBe('INFO');
  });

  it('a callback answering <Response> redirects the call: its document runs (Say, Hangup) and the caller gets BYE long before the old Pause ends', async ({ expect, onTestFinished }) => {
    const { h, call } = await setUp(onTestFinished, [{ id: 'transfer', url: '/sig', match: { method: 'INFO' } }]);
    h.app.on('/sig', respond('<Say>Transferring.</Say><Hangup/>'));
    const started = performance.now();
    const result = await (await call('router-uac-info-then-bye')).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    // Without the redirect the call would sit in its 30 s <Pause>.
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);
    expect(h.app.to('/sig')).toHaveLength(1);
    // The redirect ran the callback's document, not the application's voice URL again.
    expect(h.app.to('/voice')).toHaveLength(1);
  });

  it('a full queue drops new events with no harm to the call or the engine', async ({ expect, onTestFinished }) => {
    const { h, call } = await setUp(onTestFinished, [RULES[0]!], { perCallQueue: 2, timeoutMs: 1000, retries: 0, retryDelayMs: 0, endGraceMs: 10_000 });
    h.app.on('/sig', hang());
    const result = await (await call('router-uac-info-burst')).done;
    // Every INFO was answered 200 at once.
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INFO' })).toHaveLength(8);

    // One in flight, two queued, five dropped: three reach the server, one after another as each times out.
    await waitUntil(() => h.engine.stats().calls === 0 && h.engine.stats().pendingSignalingEvents === 0, 10_000, 'the call and its events are gone');
    const events = bySequence(h.app.to('/sig'));
    expect(events.map((e) => e.params.SequenceNumber)).toEqual(['0', '1', '2']);
    expect(events.map((e) => e.params.SipBody)).toEqual(['Signal=0\r\nDuration=160\r\n', 'Signal=1\r\nDuration=160\r\n', 'Signal=2\r\nDuration=160\r\n']);

    // The engine still takes calls.
    h.app.on('/sig', noContent());
    const again = await (await call('router-uac-signaling')).done;
    expect(again.exitCode, describeSipp(again)).toBe(0);
    const more = await h.app.waitForCount('/sig', 4, 5000);
    expect(more[3]?.params.CallSid).not.toBe(events[0]?.params.CallSid);
  });
});
