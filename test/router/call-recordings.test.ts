/**
 * Recordings of live calls through the twilio library: SIPp calls in, its
 * RTP socket sends a tone in three one-second parts; the REST API starts
 * two recordings of the call, pauses them for the middle part (one skips,
 * one keeps silence), resumes and stops them. The files' lengths and
 * contents show the pauses; the status callbacks and the Recording
 * resources report them; a recording is deleted.
 */
import { describe, it } from 'vitest';
import { decodeWav } from '../../media/embedded/audio/wav.js';
import { dominantFrequency, rmsDbfs } from '../../media/embedded/dsp/silence.js';
import { describeSipp } from '../support/sipp.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { noContent, respond } from './helpers/app-server.js';
import { CallerMedia } from './helpers/caller-media.js';
import { startCallee } from './helpers/dial-callee.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter } from './helpers/router-harness.js';
import { between, channelsOf } from '../support/wav-samples.js';

const TONE_HZ = 600;
const PART_MS = 1000;

/** Runs a request; its answer, and when it was sent and answered (performance.now()). */
async function timed<T>(request: () => Promise<T>): Promise<{ value: T; sent: number; got: number }> {
  const sent = performance.now();
  const value = await request();
  return { value, sent, got: performance.now() };
}

async function download(url: string): Promise<Int16Array> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return decodeWav(Buffer.from(await res.arrayBuffer()), url);
}

describe('call recordings by REST', () => {
  it('start, pause (skip / silence), resume and stop two recordings of a live call; the files show the pauses; delete one', async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'desk', voice: '/voice' }] });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    const { client } = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN);
    h.app.on('/voice', respond('<Say>One moment.</Say><Pause length="30"/>'));
    h.app.on('/recording-status', noContent());

    const caller = await h.call({ scenario: 'answered', user: 'desk', media });
    const voice = await h.app.waitFor((r) => r.pathname === '/voice', 10_000, 'the call');
    const callSid = voice.params.CallSid!;
    const calls = client.calls(callSid);
    // The prompt's RTP tells the caller where the engine's media is.
    await media.waitForPackets(5, 10_000);

    // Each request's time is measured: the recordings changed somewhere between its sending and its answer.
    const skipCreate = await timed(() =>
      calls.recordings.create({
        recordingTrack: 'inbound',
        recordingStatusCallback: h.app.url('/recording-status'),
        recordingStatusCallbackEvent: ['in-progress', 'completed'],
      }),
    );
    const silentCreate = await timed(() => calls.recordings.create({ recordingTrack: 'inbound' }));
    const skipping = skipCreate.value;
    const silent = silentCreate.value;
    expect(skipping.sid).toMatch(/^RE[0-9a-f]{32}$/);
    expect(skipping).toMatchObject({ callSid, status: 'in-progress', source: 'StartCallRecordingAPI', track: 'inbound', channels: 1, duration: '-1' });
    // A recording still going cannot be deleted (Twilio's 20009); it goes on.
    await expect(client.recordings(skipping.sid).remove()).rejects.toMatchObject({ status: 400, code: 20009 });

    await media.sendTone(TONE_HZ, PART_MS);
    const skipPause = await timed(() => calls.recordings(skipping.sid).update({ status: 'paused', pauseBehavior: 'skip' }));
    expect(skipPause.value.status).toBe('paused');
    const silentPause = await timed(() => calls.recordings(silent.sid).update({ status: 'paused', pauseBehavior: 'silence' }));
    await media.sendTone(TONE_HZ, PART_MS);
    // Twilio.CURRENT is the newest recording still going: the silent one.
    const silentResume = await timed(() => calls.recordings('Twilio.CURRENT').update({ status: 'in-progress' }));
    expect(silentResume.value.sid).toBe(silent.sid);
    const skipResume = await timed(() => calls.recordings(skipping.sid).update({ status: 'in-progress' }));
    await media.sendTone(TONE_HZ, PART_MS);
    const skipStop = await timed(() => calls.recordings(skipping.sid).update({ status: 'stopped' }));
    expect(skipStop.value.status).toBe('stopped');

    // The silent one ends with the call.
    await calls.update({ status: 'completed' });
    const result = await caller.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);

    const callbacks = await h.app.waitForCount('/recording-status', 2, 10_000);
    expect(callbacks.map((r) => r.params.RecordingStatus)).toEqual(['in-progress', 'completed']);
    const done = callbacks[1]!.params;
    expect(done).toMatchObject({ AccountSid: ACCOUNT_SID, CallSid: callSid, RecordingSid: skipping.sid, RecordingSource: 'StartCallRecordingAPI', RecordingTrack: 'inbound', RecordingChannels: '1' });
    expect(done.RecordingStartTime).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);

    // The skipping one lasts as long as it ran unpaused (about two seconds of tone), nothing of the pause.
    const s = await download(done.RecordingUrl!);
    const fileMs = (s.length / 8000) * 1000;
    const shortest = skipPause.sent - skipCreate.got + (skipStop.sent - skipResume.got);
    const longest = skipPause.got - skipCreate.sent + (skipStop.got - skipResume.sent);
    expect(fileMs).toBeGreaterThan(shortest - 60);
    expect(fileMs).toBeLessThan(longest + 60);
    expect(Number(done.RecordingDuration)).toBe(Math.round(fileMs / 1000));
    expect(Math.abs(dominantFrequency(between(s, 200, fileMs - 200), 8000) - TONE_HZ)).toBeLessThan(10);
    const skipped = await client.recordings(skipping.sid).fetch();
    expect(skipped.status).toBe('completed');
    expect(skipped.duration).toBe(done.RecordingDuration);

    // The silent one keeps the pause as silence: tone, silence, tone.
    const kept = await client.recordings(silent.sid).fetch();
    expect(kept.status).toBe('completed');
    const q = await download(kept.mediaUrl);
    // It ran at least from its start to the other's stop, pause included.
    expect((q.length / 8000) * 1000).toBeGreaterThan(skipStop.sent - silentCreate.got - 60);
    const pausedFrom = silentPause.got - silentCreate.sent;
    const pausedTo = silentResume.sent - silentCreate.got;
    expect(rmsDbfs(between(q, pausedFrom + 50, pausedTo - 50))).toBeLessThan(-80);
    const beforePause = silentPause.sent - silentCreate.got;
    expect(rmsDbfs(between(q, beforePause - 400, beforePause - 100))).toBeGreaterThan(-20);
    const afterResume = silentResume.got - silentCreate.sent;
    expect(rmsDbfs(between(q, afterResume + 150, afterResume + 500))).toBeGreaterThan(-20);

    const listed = await calls.recordings.list();
    expect(listed.map((r) => r.sid).sort()).toEqual([skipping.sid, silent.sid].sort());
    await calls.recordings(skipping.sid).remove();
    await expect(client.recordings(skipping.sid).fetch()).rejects.toMatchObject({ status: 404 });
    expect((await calls.recordings.list()).map((r) => r.sid)).toEqual([silent.sid]);

    // The call is over: no new recording, no change to a finished one; bad values are 400s naming the parameter.
    await expect(calls.recordings.create()).rejects.toMatchObject({ status: 400, code: 21220 });
    await expect(calls.recordings(silent.sid).update({ status: 'paused' })).rejects.toMatchObject({ status: 400, code: 21220 });
    await expect(calls.recordings.create({ recordingChannels: 'stereo' })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('RecordingChannels') });
    await expect(calls.recordings(silent.sid).update({ status: 'paused', pauseBehavior: 'drop' })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('PauseBehavior') });
    await expect(client.calls(`CA${'0'.repeat(32)}`).recordings.create()).rejects.toMatchObject({ status: 404 });
  });

  it('Calls.json with Record and RecordingChannels=dual: the called party on the first channel, what it heard on the second; OutboundAPI', async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'desk', voice: '/voice' }] });
    onTestFinished(() => h.stop());
    const { client } = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN);
    h.app.on('/recording-status', noContent());
    const callee = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'engine' });
    onTestFinished(() => callee.media.close());

    const call = await client.calls.create({
      to: callee.uri,
      from: '+15550009999',
      twiml: '<Response><Say>This call is recorded, both ways.</Say><Pause length="2"/><Hangup/></Response>',
      record: true,
      recordingChannels: 'dual',
      recordingStatusCallback: h.app.url('/recording-status'),
    });
    await callee.media.waitForPackets(5, 10_000);
    await callee.media.sendTone(1000, 1500);
    const result = await callee.sipp.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);

    const [status] = await h.app.waitForCount('/recording-status', 1, 10_000);
    expect(status!.params).toMatchObject({ CallSid: call.sid, RecordingStatus: 'completed', RecordingSource: 'OutboundAPI', RecordingChannels: '2', RecordingTrack: 'both' });
    const res = await fetch(status!.params.RecordingUrl!);
    const [party, heard] = channelsOf(Buffer.from(await res.arrayBuffer()));
    // The called party's tone is on the first channel only; the prompt it heard on the second.
    const tone = party!.filter((_, i) => Math.abs(party![i]!) > 2000);
    expect(tone.length / 8000).toBeGreaterThan(1);
    expect(Math.abs(dominantFrequency(party!, 8000) - 1000)).toBeLessThan(15);
    expect(rmsDbfs(heard!)).toBeGreaterThan(-40);
    expect(Math.abs(dominantFrequency(heard!, 8000) - 1000)).toBeGreaterThan(50);
    const recording = await client.recordings(status!.params.RecordingSid!).fetch();
    expect(recording).toMatchObject({ callSid: call.sid, channels: 2, source: 'OutboundAPI', status: 'completed' });
  });
});
