/**
 * Recorded <Dial>s end to end: which side is in the recording
 * (recordingTrack), when it starts (record-from-ringing: with the ringing,
 * the ringback included), and trim-silence. The caller (the test's RTP
 * socket) sends 1 kHz, the called party 2 kHz; the test fetches the
 * recording as the application would and looks for the tones in it.
 */
import { describe, it, type ExpectStatic } from 'vitest';
import twilio from 'twilio';
import { dominantFrequency, rmsDbfs } from '../../media/embedded/dsp/silence.js';
import { toneLevels } from '../media/helpers/tone-levels.js';
import { twiml, type AppRequest } from './helpers/app-server.js';
import { CallerMedia } from './helpers/caller-media.js';
import { startCallee, type CalleeScenario } from './helpers/dial-callee.js';
import { type RouterHarness } from './helpers/router-harness.js';
import { startDialer } from './helpers/dialer.js';

const { VoiceResponse } = twilio.twiml;
type DialAttributes = Parameters<InstanceType<typeof VoiceResponse>['dial']>[0];

/** A recording as the application fetches it: its channels, 8 kHz 16-bit. */
async function fetchRecording(url: string): Promise<Int16Array[]> {
  const wav = Buffer.from(await (await fetch(`${url}.wav`)).arrayBuffer());
  const channels = wav.readUInt16LE(22);
  const data = wav.subarray(44);
  const frames = Math.floor(data.length / (2 * channels));
  const out = Array.from({ length: channels }, () => new Int16Array(frames));
  for (let f = 0; f < frames; f++) for (let c = 0; c < channels; c++) out[c]![f] = data.readInt16LE((f * channels + c) * 2);
  return out;
}

/** Milliseconds of 20 ms frames whose main frequency is `freqHz`, between two points (ms) of a track. */
function toneMs(track: Int16Array, freqHz: number, fromMs = 0, toMs = Infinity): number {
  let n = 0;
  const end = Math.min(track.length, toMs * 8);
  for (let i = Math.max(0, fromMs * 8); i + 160 <= end; i += 160) {
    const frame = track.subarray(i, i + 160);
    if (rmsDbfs(frame) > -35 && Math.abs(dominantFrequency(frame, 8000) - freqHz) < 60) n++;
  }
  return n * 20;
}

/** "Connecting." (so that the caller knows the engine's RTP port), then a recorded Dial of one SIPp party. */
async function recordedDial(
  h: RouterHarness,
  caller: CallerMedia,
  onTestFinished: (fn: () => Promise<void> | void) => void,
  scenario: CalleeScenario,
  hangupAfterMs: number,
  attrs: DialAttributes,
): Promise<{ callee: Awaited<ReturnType<typeof startCallee>>; ringing: Promise<AppRequest>; answered: Promise<AppRequest>; done: Promise<unknown> }> {
  const callee = await startCallee(h.sipp, scenario, { hangup: 'callee', hangupAfterMs });
  onTestFinished(() => callee.media.close());
  const response = new VoiceResponse();
  response.say('Connecting.');
  response
    .dial({ action: '/dialed', recordingStatusCallback: '/rec-status', ...attrs })
    .sip({ statusCallback: '/leg-status', statusCallbackEvent: ['ringing', 'answered'] }, callee.uri);
  h.app.on('/voice', twiml(response.toString()));
  const call = await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 });
  return {
    callee,
    ringing: h.app.waitFor((r) => r.pathname === '/leg-status' && r.params.CallStatus === 'ringing', 15_000, 'the leg ringing'),
    answered: h.app.waitFor((r) => r.pathname === '/leg-status' && r.params.CallStatus === 'in-progress', 15_000, 'the leg answered'),
    done: call.done,
  };
}

/** Both parties speak once connected: the caller 1 kHz, then the called party 2 kHz. */
async function bothSpeak(caller: CallerMedia, callee: { media: CallerMedia }): Promise<void> {
  await caller.sendTone(1000, 600);
  await callee.media.peer.waitFor(() => callee.media.packets.length > 0, 3000, 'audio at the called party');
  await callee.media.sendTone(2000, 600);
}

/**
 * A bridged Dial with record-from-answer-dual and one recordingTrack, both
 * parties speaking: the recording's one channel (it is reported with
 * RecordingChannels 1 and its file has one channel).
 */
async function recordOneTrack(
  track: 'inbound' | 'outbound',
  { expect, onTestFinished }: { expect: ExpectStatic; onTestFinished: (fn: () => Promise<void> | void) => void },
): Promise<Int16Array> {
  const { h, caller } = await startDialer(onTestFinished);
  const call = await recordedDial(h, caller, onTestFinished, 'router-uas-answer', 3000, { record: 'record-from-answer-dual', recordingTrack: track });
  await call.answered;
  await bothSpeak(caller, call.callee);
  await call.done;
  const action = (await h.app.waitFor((r) => r.pathname === '/dialed', 10_000, 'the action')).params;
  const status = await h.app.waitFor((r) => r.pathname === '/rec-status', 5000, 'recording status callback');
  const channels = await fetchRecording(action.RecordingUrl!);
  expect(action.DialCallStatus).toBe('completed');
  expect(status.params).toMatchObject({ RecordingSid: action.RecordingSid, RecordingChannels: '1', RecordingSource: 'DialVerb' });
  expect(channels).toHaveLength(1);
  return channels[0]!;
}

describe('Dial recording', () => {
  it('recordingTrack="inbound": the caller\'s voice only (not the called party\'s), in one channel even with -dual', async ({ expect, onTestFinished }) => {
    const track = await recordOneTrack('inbound', { expect, onTestFinished });
    expect(toneMs(track, 1000)).toBeGreaterThanOrEqual(300);
    expect(toneMs(track, 2000)).toBe(0);
  });

  it('recordingTrack="outbound": what the caller hears only (the called party), not the caller\'s voice', async ({ expect, onTestFinished }) => {
    const track = await recordOneTrack('outbound', { expect, onTestFinished });
    expect(toneMs(track, 2000)).toBeGreaterThanOrEqual(300);
    expect(toneMs(track, 1000)).toBe(0);
  });

  it('record-from-ringing-dual: starts when the party rings; channel 1 has the caller, channel 2 the ringback it heard, then the party', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished);
    const call = await recordedDial(h, caller, onTestFinished, 'router-uas-ring-answer', 1500, { record: 'record-from-ringing-dual' });
    const ringing = await call.ringing;
    // The caller talks while it rings.
    await caller.sendTone(1000, 500);
    const answered = await call.answered;
    // A word from the caller tells the called party's RTP socket where the engine is; the party answers with 2 kHz.
    await caller.sendTone(1000, 200);
    await call.callee.media.peer.waitFor(() => call.callee.media.packets.length > 0, 3000, 'audio at the called party');
    await call.callee.media.sendTone(2000, 500);
    await call.done;

    const action = (await h.app.waitFor((r) => r.pathname === '/dialed', 10_000, 'the action')).params;
    const status = await h.app.waitFor((r) => r.pathname === '/rec-status', 5000, 'recording status callback');
    expect(status.params).toMatchObject({ RecordingSid: action.RecordingSid, RecordingChannels: '2' });
    const ringMs = answered.at - ringing.at;
    expect(ringMs).toBeGreaterThan(2800);
    // Longer than the connected call by about the ringing time.
    const extraS = Number(action.RecordingDuration) - Number(action.DialCallDuration);
    expect(extraS).toBeGreaterThanOrEqual(Math.floor(ringMs / 1000) - 1);
    expect(extraS).toBeLessThanOrEqual(Math.ceil(ringMs / 1000) + 1);

    const [callerTrack, heardTrack] = await fetchRecording(action.RecordingUrl!);
    expect(callerTrack!.length / 8).toBeGreaterThan(ringMs + 1000);
    // While ringing (the first ~3 s): the caller's 1 kHz on its channel, the US ringback (440+480 Hz, the first 2 s) on the other.
    expect(toneMs(callerTrack!, 1000, 0, ringMs - 200)).toBeGreaterThanOrEqual(300);
    const ringback = toneLevels(heardTrack!.subarray(200 * 8, 1800 * 8), [440, 480, 1000, 2000]);
    expect(ringback[440], JSON.stringify(ringback)).toBeGreaterThan(0.08);
    expect(ringback[480], JSON.stringify(ringback)).toBeGreaterThan(0.08);
    expect(ringback[1000], JSON.stringify(ringback)).toBeLessThan(0.01);
    // After the answer: the called party's 2 kHz on the second channel only.
    expect(toneMs(heardTrack!, 2000, ringMs)).toBeGreaterThanOrEqual(300);
    expect(toneMs(heardTrack!, 2000, 0, ringMs - 200)).toBe(0);
    expect(toneMs(callerTrack!, 2000)).toBe(0);
  });

  it('trim="trim-silence": the recording keeps only the sound, from the first to the last', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished);
    const call = await recordedDial(h, caller, onTestFinished, 'router-uas-answer', 3500, { record: 'record-from-answer', trim: 'trim-silence' });
    await call.answered;
    // About a second of silence, 600 ms of tone, then silence until the called party hangs up.
    await new Promise((r) => setTimeout(r, 1000));
    await caller.sendTone(1000, 600);
    await call.done;

    const action = (await h.app.waitFor((r) => r.pathname === '/dialed', 10_000, 'the action')).params;
    expect(Number(action.DialCallDuration)).toBeGreaterThanOrEqual(3);
    expect(action.RecordingDuration).toBe('1');
    const [track] = await fetchRecording(action.RecordingUrl!);
    expect(track!.length / 8).toBeGreaterThan(450);
    expect(track!.length / 8).toBeLessThan(900);
    // It starts and ends with the tone.
    expect(rmsDbfs(track!.subarray(0, 160))).toBeGreaterThan(-40);
    expect(rmsDbfs(track!.subarray(track!.length - 160))).toBeGreaterThan(-40);
    expect(toneMs(track!, 1000)).toBeGreaterThanOrEqual(400);
  });
});
