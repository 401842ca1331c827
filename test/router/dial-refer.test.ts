/**
 * <Dial referUrl> end to end (Twilio's SIP REFER support): SIPp calls in,
 * the engine dials a SIPp called party that, once connected, sends a REFER
 * (RFC 3515). With referUrl the application is asked (ReferTransferTarget
 * and the REFER's headers), its document ends the Dial and runs on the
 * caller; without one the REFER is declined with 603.
 */
import { describe, it } from 'vitest';
import { mulawDecode } from '../../media/embedded/audio/g711.js';
import { rmsDbfs } from '../../media/embedded/dsp/silence.js';
import { describeSipp } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { httpStatus, noContent, respond } from './helpers/app-server.js';
import { CallerMedia, PT_PCMU } from './helpers/caller-media.js';
import { startCallee, tonePackets, type Callee, type CalleeScenario } from './helpers/dial-callee.js';
import { startRouter, type RouterHarness, type TestApplication } from './helpers/router-harness.js';
import { TestRegistrar } from './helpers/test-registrar.js';

/** How long the called party stays connected before its REFER. */
const REFER_AFTER_MS = 3000;

async function setUp(
  onTestFinished: (fn: () => Promise<void> | void) => void,
  scenario: CalleeScenario,
  dialAttributes: string,
  app: Partial<TestApplication> = {},
  /** sip: dialed with <Sip>; client: a softphone registered as alice, dialed with <Client>. */
  party: 'sip' | 'client' = 'sip',
): Promise<{ h: RouterHarness; caller: CallerMedia; callee: Callee }> {
  const registrar = party === 'client' ? new TestRegistrar() : undefined;
  const h = await startRouter({ applications: [{ id: 'dialer', voice: '/voice', ...app }], ...(registrar ? { registrar } : {}) });
  onTestFinished(() => h.stop());
  const caller = await CallerMedia.open();
  onTestFinished(() => caller.close());
  h.app.on('/leg-status', noContent());
  h.app.on('/dialed', respond('<Hangup/>'));
  const callee = await startCallee(h.sipp, scenario, { hangupAfterMs: REFER_AFTER_MS });
  onTestFinished(() => callee.media.close());
  registrar?.addUser('alice').bind('alice', callee.sipp.target);
  const noun = party === 'client' ? 'Client' : 'Sip';
  h.app.on(
    '/voice',
    respond(
      `<Say>Connecting.</Say><Dial action="/dialed" ${dialAttributes}><${noun} statusCallback="/leg-status" statusCallbackEvent="answered">${party === 'client' ? 'alice' : callee.uri}</${noun}></Dial>`,
    ),
  );
  return { h, caller, callee };
}

/** PCMU packets carrying sound (not silence). */
function voicedPackets(packets: readonly { pt: number; payload: Uint8Array }[]): number {
  return packets.filter((p) => p.pt === PT_PCMU && rmsDbfs(mulawDecode(p.payload)) > -40).length;
}

describe('Dial referUrl', () => {
  it('a REFER from the connected party: referUrl gets ReferTransferTarget; its document runs on the caller; 202, NOTIFY 100 and 200 OK, then BYE to the party; no action', async ({
    expect,
    onTestFinished,
  }) => {
    const { h, caller, callee } = await setUp(onTestFinished, 'router-uas-refer', 'referUrl="/refer?step=1"');
    let packetsAtRefer = -1;
    h.app.on('/refer', () => {
      packetsAtRefer = caller.packets.length;
      return respond('<Say>transferring</Say><Hangup/>');
    });
    const call = await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 });

    // Connected: the caller's tone reaches the called party before it asks for the transfer.
    const answered = await h.app.waitFor((r) => r.pathname === '/leg-status', 15_000, 'the leg answered');
    await caller.sendTone(1000, 400);
    await callee.media.peer.waitFor(() => tonePackets(callee.media.packets, 1000).length >= 10, REFER_AFTER_MS, '1 kHz at the called party');

    const refer = await h.app.waitFor((r) => r.pathname === '/refer', 15_000, 'the referUrl request');
    const parentSid = h.app.to('/voice')[0]?.params.CallSid;
    expect(refer.method).toBe('POST');
    expect(refer.path).toBe('/refer?step=1');
    expect(refer.params).toMatchObject({
      ReferTransferTarget: 'sip:agent@pbx.example.com?X-Case=7',
      'SipHeader_Refer-To': '<sip:agent@pbx.example.com?X-Case=7>',
      'SipHeader_X-Transfer-Reason': 'queue-full',
      CallSid: parentSid,
      DialCallSid: answered.params.CallSid,
    });
    expect(refer.params['SipHeader_Referred-By']).toContain('sip:callee@');

    // The called party: 202, NOTIFY 100 Trying, NOTIFY 200 OK, then BYE (the scenario checks the order and the bodies).
    const calleeResult = await callee.sipp.done;
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);
    expect(findMessages(calleeResult.trace, { direction: 'received', method: 'NOTIFY' })).toHaveLength(2);
    expect(findMessages(calleeResult.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);

    // The caller hears the referUrl document's <Say>, then gets its BYE.
    const result = await call.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(packetsAtRefer).toBeGreaterThanOrEqual(0);
    expect(voicedPackets(caller.packets.slice(packetsAtRefer))).toBeGreaterThanOrEqual(20);
    // The Dial ended by the transfer: its action is not requested.
    expect(h.app.to('/dialed')).toHaveLength(0);
  });

  it('a REFER from a registered softphone reached with <Client>: the same transfer, with the softphone as the party', async ({ expect, onTestFinished }) => {
    const { h, caller, callee: alice } = await setUp(onTestFinished, 'router-uas-refer', 'referUrl="/refer"', {}, 'client');
    let packetsAtRefer = -1;
    h.app.on('/refer', () => {
      packetsAtRefer = caller.packets.length;
      return respond('<Say>transferring</Say><Hangup/>');
    });
    const call = await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 });

    const answered = await h.app.waitFor((r) => r.pathname === '/leg-status', 15_000, 'the client answered');
    const refer = await h.app.waitFor((r) => r.pathname === '/refer', 15_000, 'the referUrl request');
    expect(refer.params).toMatchObject({
      ReferTransferTarget: 'sip:agent@pbx.example.com?X-Case=7',
      CallSid: h.app.to('/voice')[0]?.params.CallSid,
      DialCallSid: answered.params.CallSid,
    });
    expect(answered.params.To).toBe('client:alice');

    const aliceResult = await alice.sipp.done;
    expect(aliceResult.exitCode, describeSipp(aliceResult)).toBe(0);
    expect(findMessages(aliceResult.trace, { direction: 'received', method: 'NOTIFY' })).toHaveLength(2);
    expect(findMessages(aliceResult.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);
    const result = await call.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(voicedPackets(caller.packets.slice(packetsAtRefer))).toBeGreaterThanOrEqual(20);
    expect(h.app.to('/dialed')).toHaveLength(0);
  });

  it('referUrl answering 500: NOTIFY 603 Declined, the bridge goes on until the called party hangs up, then the action', async ({ expect, onTestFinished }) => {
    const { h, caller, callee } = await setUp(onTestFinished, 'router-uas-refer-failed', 'referUrl="/refer" referMethod="GET"');
    h.app.on('/refer', httpStatus(500));
    const call = await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 });
    const calleeResult = await callee.sipp.done;
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);
    const result = await call.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(h.app.to('/refer')[0]?.method).toBe('GET');
    expect(h.app.to('/refer')[0]?.params.ReferTransferTarget).toBe('sip:agent@pbx.example.com?X-Case=7');
    expect(h.app.to('/dialed')[0]?.params).toMatchObject({ DialCallStatus: 'completed', DialBridged: 'true' });
    expect(Number(h.app.to('/dialed')[0]?.params.DialCallDuration)).toBeGreaterThanOrEqual(3);
  });

  it('without referUrl the called party gets 603 Decline and no NOTIFY, even when a signaling-event rule reports the REFER; the call goes on', async ({
    expect,
    onTestFinished,
  }) => {
    const { h, caller, callee } = await setUp(onTestFinished, 'router-uas-refer-declined', '', {
      signalingEvents: [{ url: '/events', match: { method: 'REFER' } }],
    });
    h.app.on('/events', noContent());
    const call = await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 });
    const calleeResult = await callee.sipp.done;
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);
    const [declined] = findMessages(calleeResult.trace, { direction: 'received', cseqMethod: 'REFER' });
    expect(declined?.status).toBe(603);
    expect(findMessages(calleeResult.trace, { direction: 'received', method: 'NOTIFY' })).toHaveLength(0);
    const result = await call.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(h.app.to('/dialed')[0]?.params).toMatchObject({ DialCallStatus: 'completed' });
    expect(h.app.requests.filter((r) => r.pathname === '/refer')).toHaveLength(0);
    // The rule still reports it: the application sees the REFER the engine declined.
    const event = await h.app.waitFor((r) => r.pathname === '/events', 5000, 'the REFER event');
    expect(event.params).toMatchObject({ SipMethod: 'REFER', ReferTransferTarget: 'sip:agent@pbx.example.com?X-Case=7' });
  });

  it('a REFER without Refer-To gets 400 Missing Refer-To; referUrl is not requested and the call goes on', async ({ expect, onTestFinished }) => {
    const { h, caller, callee } = await setUp(onTestFinished, 'router-uas-refer-malformed', 'referUrl="/refer"');
    h.app.on('/refer', respond('<Hangup/>'));
    const call = await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 });
    const calleeResult = await callee.sipp.done;
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);
    const [refused] = findMessages(calleeResult.trace, { direction: 'received', cseqMethod: 'REFER' });
    expect(refused?.status).toBe(400);
    expect(refused?.firstLine).toContain('Missing Refer-To');
    const result = await call.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(h.app.to('/refer')).toHaveLength(0);
    expect(h.app.to('/dialed')[0]?.params).toMatchObject({ DialCallStatus: 'completed' });
  });
});
