/**
 * Call queues with TwiML: a SIPp caller runs <Enqueue> and hears the wait
 * document (requested with Twilio's queue parameters); an agent's call runs
 * <Dial><Queue> and is bridged to it after the noun's url document played
 * to the caller; the caller's Enqueue action gets QueueResult=bridged.
 * <Leave> in the wait document takes the caller out with QueueResult=leave.
 */
import { describe, it } from 'vitest';
import { encodeWavInterleaved } from '../../media/embedded/audio/wav.js';
import { generateTone } from '../../media/embedded/dsp/tone.js';
import { describeSipp } from '../support/sipp.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { httpStatus, respond, wav } from './helpers/app-server.js';
import { audible } from './helpers/call-expectations.js';
import { CallerMedia, PT_PCMU } from './helpers/caller-media.js';
import { tonePackets } from './helpers/dial-callee.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter } from './helpers/router-harness.js';

const WAIT_TONE = 350;
const WHISPER_TONE = 900;

const toneWav = (freq: number, ms: number): Buffer => encodeWavInterleaved(generateTone([freq], ms, 0.3), 1, 8000);

describe('Enqueue and Dial Queue', () => {
  it('the caller waits with the wait document; the agent dequeues it: url document to the caller, then both are bridged', async ({ expect, onTestFinished }) => {
    const h = await startRouter({
      applications: [
        { id: 'support', voice: '/support' },
        { id: 'agent', voice: '/agent' },
      ],
    });
    onTestFinished(() => h.stop());
    h.app.on('/support', respond('<Enqueue action="/queued" waitUrl="/wait">support</Enqueue><Say>unreached</Say>'));
    h.app.on('/wait', respond(`<Play>${h.app.url('/wait.wav')}</Play>`));
    h.app.on('/wait.wav', wav(toneWav(WAIT_TONE, 500)));
    h.app.on('/whisper', respond(`<Play>${h.app.url('/whisper.wav')}</Play>`));
    h.app.on('/whisper.wav', wav(toneWav(WHISPER_TONE, 500)));
    h.app.on('/agent', respond('<Dial action="/agent-done"><Queue url="/whisper">support</Queue></Dial>'));
    h.app.on('/agent-done', respond('<Hangup/>'));
    h.app.on('/queued', respond('<Say>Thank you for calling.</Say><Hangup/>'));

    const callerMedia = await CallerMedia.open();
    onTestFinished(() => callerMedia.close());
    const caller = await h.call({ scenario: 'answered', user: 'support', media: callerMedia, timeoutSeconds: 40 });
    // The wait document is requested again and again, with the queue's parameters.
    const waits = await h.app.waitForCount('/wait', 2, 10_000);
    const callSid = h.app.to('/support')[0]?.params.CallSid;
    expect(waits[0]?.params).toMatchObject({ CallSid: callSid, QueuePosition: '1', CurrentQueueSize: '1', MaxQueueSize: '1000', AvgQueueTime: '0' });
    expect(waits[0]?.params.QueueSid).toMatch(/^QU[0-9a-f]{32}$/);
    expect(Number(waits[1]?.params.QueueTime)).toBeGreaterThanOrEqual(0);
    await callerMedia.peer.waitFor(() => tonePackets(callerMedia.packets, WAIT_TONE).length >= 10, 5000, 'the wait tone at the caller');
    // The queue <Enqueue> made on first use is in the REST API, with Twilio's default size and its caller.
    const { client } = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN);
    const listed = await client.queues.list();
    expect(listed.map((q) => ({ sid: q.sid, friendlyName: q.friendlyName, maxSize: q.maxSize, currentSize: q.currentSize }))).toEqual([
      { sid: waits[0]?.params.QueueSid, friendlyName: 'support', maxSize: 1000, currentSize: 1 },
    ]);

    // The agent calls in and takes the caller.
    const agentMedia = await CallerMedia.open();
    onTestFinished(() => agentMedia.close());
    const agent = await h.call({ scenario: 'hangup', user: 'agent', media: agentMedia, hangupAfterMs: 3500, timeoutSeconds: 40 });
    const whisper = await h.app.waitFor((r) => r.pathname === '/whisper', 10_000, 'the url document request');
    const agentSid = h.app.to('/agent')[0]?.params.CallSid;
    expect(whisper.params).toMatchObject({ CallSid: callSid, DequeingCallSid: agentSid, QueueSid: waits[0]?.params.QueueSid });
    // The url document plays to the caller, then the two are bridged: each hears the other.
    await callerMedia.waitForToneEnd(WHISPER_TONE, 5000);
    await new Promise((r) => setTimeout(r, 100));
    await callerMedia.sendTone(1200, 600);
    await agentMedia.peer.waitFor(() => tonePackets(agentMedia.packets, 1200).length >= 10, 5000, 'the caller heard by the agent');
    await agentMedia.sendTone(1700, 600);
    await callerMedia.peer.waitFor(() => tonePackets(callerMedia.packets, 1700).length >= 10, 5000, 'the agent heard by the caller');

    // The agent hangs up: the caller's Enqueue action runs with QueueResult=bridged.
    const agentDone = await agent.done;
    expect(agentDone.exitCode, describeSipp(agentDone)).toBe(0);
    const queued = await h.app.waitFor((r) => r.pathname === '/queued', 5000, 'the Enqueue action');
    expect(queued.params).toMatchObject({ QueueResult: 'bridged', QueueSid: waits[0]?.params.QueueSid, CallSid: callSid });
    expect(Number(queued.params.QueueTime)).toBeGreaterThanOrEqual(1);
    const callerDone = await caller.done;
    expect(callerDone.exitCode, describeSipp(callerDone)).toBe(0);
    const agentAction = await h.app.waitFor((r) => r.pathname === '/agent-done', 5000, "the agent's Dial action");
    expect(agentAction.params).toMatchObject({ DialCallStatus: 'completed', DialCallSid: callSid });
    expect(h.app.to('/support')).toHaveLength(1);
    expect((await client.queues(waits[0]?.params.QueueSid as string).fetch()).currentSize).toBe(0);
  });

  it('<Leave> in the wait document: QueueResult=leave; a Dial Queue of an unknown queue fails', async ({ expect, onTestFinished }) => {
    const h = await startRouter({
      applications: [
        { id: 'support', voice: '/support' },
        { id: 'agent', voice: '/agent' },
      ],
    });
    onTestFinished(() => h.stop());
    h.app.on('/support', respond('<Enqueue action="/queued" waitUrl="/wait">sales</Enqueue>'));
    h.app.on('/wait', (r) => respond(Number(r.params.QueueTime) >= 1 ? '<Leave/>' : '<Pause length="1"/>'));
    h.app.on('/queued', respond('<Hangup/>'));
    h.app.on('/agent', respond('<Dial action="/agent-done" timeout="5"><Queue>nobody-here</Queue></Dial>'));
    h.app.on('/agent-done', respond('<Hangup/>'));
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    const caller = await h.call({ scenario: 'answered', user: 'support', media, timeoutSeconds: 30 });
    const queued = await h.app.waitFor((r) => r.pathname === '/queued', 10_000, 'the Enqueue action');
    expect(queued.params.QueueResult).toBe('leave');
    expect((await caller.done).exitCode).toBe(0);

    const agentMedia = await CallerMedia.open();
    onTestFinished(() => agentMedia.close());
    const agent = await h.call({ scenario: 'answered', user: 'agent', media: agentMedia, timeoutSeconds: 30 });
    const done = await h.app.waitFor((r) => r.pathname === '/agent-done', 5000, "the agent's action");
    expect(done.params.DialCallStatus).toBe('failed');
    expect((await agent.done).exitCode).toBe(0);
  });
  it('a waitUrl that fails: the caller hears the hold music, then the waitUrl is asked again', { timeout: 60_000 }, async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'support', voice: '/support' }] });
    onTestFinished(() => h.stop());
    h.app.on('/support', respond('<Enqueue waitUrl="/wait">support</Enqueue>'));
    let asked = 0;
    // The application is down the first time; then its wait document says Leave.
    h.app.on('/wait', () => (++asked === 1 ? httpStatus(500) : respond('<Leave/>')));
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    const caller = await h.call({ scenario: 'answered', user: 'support', media, timeoutSeconds: 50 });
    await h.app.waitForCount('/wait', 1, 10_000);
    // The hold music (the engine's own) meanwhile, not silence.
    await media.peer.waitFor(() => audible(media.packetsOf(PT_PCMU)).length >= 50, 10_000, 'hold music at the caller');
    const [failed, again] = await h.app.waitForCount('/wait', 2, 40_000);
    expect((again?.at ?? 0) - (failed?.at ?? 0)).toBeGreaterThan(10_000);
    const result = await caller.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
  });
});
