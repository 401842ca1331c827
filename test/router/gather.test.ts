/**
 * <Gather> with documents built by the `twilio` library's VoiceResponse.
 * The test's RTP socket sends RFC 4733 telephone-events to the engine's RTP
 * port (learned from the prompt's packets); the digits are posted to the
 * action URL and the action's document runs. Without digits, the action is
 * still requested when actionOnEmptyResult is set.
 */
import twilio from 'twilio';
import { describe, it } from 'vitest';
import { describeSipp } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { twiml } from './helpers/app-server.js';
import { audible, expectCallRequest } from './helpers/call-expectations.js';
import { CallerMedia, PT_PCMU } from './helpers/caller-media.js';
import { startRouter } from './helpers/router-harness.js';

const { VoiceResponse } = twilio.twiml;

describe.concurrent('Gather', () => {
  it('digits sent as RFC 4733 events -> Digits posted to the action URL, then the action document runs', async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'menu', voice: '/ivr/voice' }] });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());

    const menu = new VoiceResponse();
    const gather = menu.gather({ action: 'choice', method: 'POST', numDigits: 3, timeout: 10, finishOnKey: '#' });
    gather.say('Please enter your three digit code, now, and take your time about it.');
    menu.say('We did not receive your code.');
    h.app.on('/ivr/voice', twiml(menu.toString()));
    const thanks = new VoiceResponse();
    thanks.say('Thank you.');
    thanks.hangup();
    h.app.on('/ivr/choice', twiml(thanks.toString()));

    const caller = await h.call({ scenario: 'answered', user: 'menu', media });
    // The prompt has started: the engine's RTP port is known.
    await media.waitForPackets(5, 10_000);
    await media.sendDigits('123');
    const action = await h.app.waitFor((r) => r.pathname === '/ivr/choice', 10_000, 'the Gather action request');
    const result = await caller.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);

    expect(action.method).toBe('POST');
    expect(action.params.Digits).toBe('123');
    const sid = expectCallRequest(expect, action, { user: 'menu' });
    expect(sid).toBe(h.app.to('/ivr/voice')[0]?.params.CallSid);
    // The action's document ran: its prompt was sent after the request.
    const after = media.packetsOf(PT_PCMU).filter((p) => p.at > action.at);
    expect(audible(after).length).toBeGreaterThan(5);
    expect(h.app.requests.map((r) => r.pathname)).toEqual(['/ivr/voice', '/ivr/choice']);
  });

  it("without an action, the digits are posted to the document's own URL, whose answer runs (as on Twilio)", async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'menu', voice: '/ivr/voice' }] });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    const menu = new VoiceResponse();
    menu.gather({ numDigits: 2, timeout: 10 }).say('Enter two digits, please, and take your time about it.');
    const done = new VoiceResponse();
    done.say('Thank you.');
    done.hangup();
    h.app.on('/ivr/voice', (r) => twiml(r.params.Digits === undefined ? menu.toString() : done.toString()));

    const caller = await h.call({ scenario: 'answered', user: 'menu', media });
    await media.waitForPackets(5, 10_000);
    await media.sendDigits('42');
    const second = await h.app.waitFor((r) => r.pathname === '/ivr/voice' && r.params.Digits !== undefined, 10_000, 'the digits posted to the document URL');
    expect((await caller.done).exitCode).toBe(0);
    expect(second.method).toBe('POST');
    expect(second.params.Digits).toBe('42');
    expect(second.params.CallSid).toBe(h.app.to('/ivr/voice')[0]?.params.CallSid);
    expect(h.app.requests.map((r) => r.pathname)).toEqual(['/ivr/voice', '/ivr/voice']);
  });

  it('no digits before the timeout, actionOnEmptyResult -> the action gets empty Digits', async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'menu', voice: '/voice' }] });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());

    const menu = new VoiceResponse();
    menu.gather({ action: '/empty', timeout: 1, actionOnEmptyResult: true }).say('Press a key.');
    menu.say('This should not be spoken.');
    h.app.on('/voice', twiml(menu.toString()));
    const bye = new VoiceResponse();
    bye.hangup();
    h.app.on('/empty', twiml(bye.toString()));

    const result = await (await h.call({ scenario: 'answered', user: 'menu', media })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);

    const [action] = h.app.to('/empty');
    expect(action, 'the action request').toBeDefined();
    expect(action!.params.Digits ?? '').toBe('');
    expectCallRequest(expect, action!, { user: 'menu' });
    // It came after the prompt ended plus the 1 s timeout.
    const prompt = media.packetsOf(PT_PCMU);
    const lastSound = audible(prompt).at(-1);
    expect(lastSound).toBeDefined();
    expect(action!.at - lastSound!.at).toBeGreaterThan(800);
    // The verb after the Gather did not run.
    expect(audible(prompt.filter((p) => p.at > action!.at))).toHaveLength(0);
  });

  it("finishOnKey '#' ends the input early; the key is not part of Digits", async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'pin', voice: '/voice' }] });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());

    const doc = new VoiceResponse();
    doc.gather({ action: '/pin', finishOnKey: '#', numDigits: 10, timeout: 10 }).say('Enter your PIN, then press pound.');
    h.app.on('/voice', twiml(doc.toString()));
    const bye = new VoiceResponse();
    bye.hangup();
    h.app.on('/pin', twiml(bye.toString()));

    const caller = await h.call({ scenario: 'answered', user: 'pin', media });
    await media.waitForPackets(5, 10_000);
    const sent = performance.now();
    await media.sendDigits('42#');
    const action = await h.app.waitFor((r) => r.pathname === '/pin', 10_000, 'the Gather action request');
    const result = await caller.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(action.params.Digits).toBe('42');
    expectCallRequest(expect, action, { user: 'pin' });
    // Ended by the key, not by the 10 s timeout.
    expect(action.at - sent).toBeLessThan(3000);
  });
});
