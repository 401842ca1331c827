/**
 * The simplest application: <Say> then <Hangup/>. SIPp calls in; the caller
 * gets a 200 OK, hears the prompt as PCMU (payload type 0) paced at 20 ms,
 * then the engine's BYE. The application's request carries Twilio's call
 * parameters and a signature the `twilio` library accepts.
 */
import { describe, it } from 'vitest';
import { describeSipp } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { freeswitchUnderTest } from '../support/test-variants.js';
import twilio from 'twilio';
import { encodeWavInterleaved } from '../../media/embedded/audio/wav.js';
import { generateTone } from '../../media/embedded/dsp/tone.js';
import { respond, twiml, wav } from './helpers/app-server.js';
import { tonePackets } from './helpers/dial-callee.js';
import { audible, expectCallRequest, spokenFrames } from './helpers/call-expectations.js';
import { CallerMedia, PT_PCMU } from './helpers/caller-media.js';
import { startRouter } from './helpers/router-harness.js';

const PROMPT = 'Hello, you have reached the dialtone test line.';

describe('Say then Hangup', () => {
  it('answers, speaks the prompt as PCMU, hangs up with a BYE, and posts signed Twilio parameters', async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'hello', voice: '/voice' }] });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    h.app.on('/voice', respond(`<Say>${PROMPT}</Say><Hangup/>`));

    const result = await (await h.call({ scenario: 'answered', user: 'hello', media })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);

    // SIP: answered once with an SDP answer, then the engine's BYE.
    const ok = findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' });
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(ok[0]?.header('Content-Type')).toMatch(/application\/sdp/i);
    expect(ok[0]?.body).toMatch(/^m=audio \d+ RTP\/AVP 0\b/m);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);

    // Media: the prompt, as PCMU, about as many 20 ms frames as espeak-ng makes of it, in real time.
    const expected = await spokenFrames(PROMPT);
    const pcmu = media.packetsOf(PT_PCMU);
    expect(media.packets.every((p) => p.pt === PT_PCMU), 'payload types sent').toBe(true);
    expect(pcmu.length).toBeGreaterThan(expected * 0.8);
    expect(pcmu.length).toBeLessThan(expected * 1.25 + 10);
    expect(audible(pcmu).length).toBeGreaterThan(expected * 0.3);
    const first = pcmu[0]!;
    const last = pcmu[pcmu.length - 1]!;
    expect(last.at - first.at).toBeGreaterThan((pcmu.length - 1) * 20 * 0.8);
    // One SSRC, consecutive sequence numbers, timestamps 160 apart. FreeSWITCH
    // keeps its timestamps on its own clock, so a frame it produced late moves
    // the timestamp on by more than one frame (RFC 3550 §5.1 allows this): there
    // the step is a whole number of frames; the embedded engine never skips.
    const frameSteps = freeswitchUnderTest() ? [160, 320, 480] : [160];
    expect(new Set(pcmu.map((p) => p.ssrc)).size).toBe(1);
    for (let i = 1; i < pcmu.length; i++) {
      expect((pcmu[i]!.seq - pcmu[i - 1]!.seq) & 0xffff).toBe(1);
      expect(frameSteps).toContain((pcmu[i]!.ts - pcmu[i - 1]!.ts) >>> 0);
    }

    // The webhook: one POST with the call's parameters, signed.
    const requests = h.app.to('/voice');
    expect(requests).toHaveLength(1);
    const req = requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expectCallRequest(expect, req, { user: 'hello', status: 'ringing' });
    const invite = findMessages(result.trace, { direction: 'sent', method: 'INVITE' })[0];
    expect(req.params.SipCallId).toBe(invite?.header('Call-ID'));
  });

  it('voiceMethod GET: the call parameters come in the query string, signed over the whole URL', async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'getter', voice: '/voice?tenant=a%20b', voiceMethod: 'GET' }] });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    h.app.on('/voice', respond('<Say>Got it.</Say><Hangup/>'));

    const result = await (await h.call({ scenario: 'answered', user: 'getter', media })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);
    expect(audible(media.packetsOf(PT_PCMU)).length).toBeGreaterThan(5);

    const [req] = h.app.to('/voice');
    expect(req?.method).toBe('GET');
    expect(req?.body).toBe('');
    // The application's own query parameter is kept beside the call's.
    expect(req?.params.tenant).toBe('a b');
    expectCallRequest(expect, req!, { user: 'getter', status: 'ringing' });
  });

  it("a verb dialtone does not run (<Sms> from the twilio library) is skipped: the verbs after it run", async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'hello', voice: '/voice' }] });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    const r = new twilio.twiml.VoiceResponse();
    r.say('Sending you a text.');
    r.sms('Your code is 1234.');
    r.play(h.app.url('/tone.wav'));
    r.hangup();
    h.app.on('/voice', twiml(r.toString()));
    h.app.on('/tone.wav', wav(encodeWavInterleaved(generateTone([1300], 600, 0.3), 1, 8000)));
    const result = await (await h.call({ scenario: 'answered', user: 'hello', media })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    // The Play after the Sms ran: its tone reached the caller.
    expect(tonePackets(media.packets, 1300).length).toBeGreaterThan(15);
  });
});
