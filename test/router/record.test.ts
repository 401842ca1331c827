/**
 * <Record> ended by '#', with documents built by the `twilio` library's
 * VoiceResponse: the caller's RTP socket sends a 440 Hz tone as PCMU for
 * about 2 s after the beep, then the RFC 4733 '#' event. The action gets
 * RecordingUrl, RecordingDuration and Digits; the recording is a WAV served
 * over HTTP at RecordingUrl, holding the tone.
 */
import twilio from 'twilio';
import { describe, it } from 'vitest';
import { decodeWav } from '../../media/embedded/audio/wav.js';
import { dominantFrequency } from '../../media/embedded/dsp/silence.js';
import { describeSipp } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { noContent, twiml } from './helpers/app-server.js';
import { expectCallRequest } from './helpers/call-expectations.js';
import { CallerMedia } from './helpers/caller-media.js';
import { startRouter } from './helpers/router-harness.js';

const { VoiceResponse } = twilio.twiml;
const TONE_HZ = 440;
const TONE_MS = 2000;

describe('Record', () => {
  it("ended by '#' -> RecordingUrl serves a WAV of what the caller sent, RecordingDuration 2 s", async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'voicemail', voice: '/voice' }] });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());

    const doc = new VoiceResponse();
    doc.say('Leave a message after the beep.');
    doc.record({
      action: '/recorded',
      method: 'POST',
      finishOnKey: '#',
      maxLength: 20,
      timeout: 10,
      playBeep: true,
      recordingStatusCallback: '/recording-status',
      recordingStatusCallbackEvent: ['in-progress', 'completed'],
    });
    h.app.on('/recording-status', noContent());
    h.app.on('/voice', twiml(doc.toString()));
    const done = new VoiceResponse();
    done.hangup();
    h.app.on('/recorded', twiml(done.toString()));

    const caller = await h.call({ scenario: 'answered', user: 'voicemail', media });
    // Prompt and beep (1 kHz) are over: recording has started.
    await media.waitForToneEnd(1000, 15_000);
    await media.sendTone(TONE_HZ, TONE_MS);
    await media.sendDigits('#');
    const action = await h.app.waitFor((r) => r.pathname === '/recorded', 10_000, 'the Record action request');
    const result = await caller.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);

    expectCallRequest(expect, action, { user: 'voicemail' });
    expect(action.params.Digits).toBe('#');
    expect(action.params.RecordingSid).toMatch(/^RE[0-9a-f]{32}$/);
    const seconds = Number(action.params.RecordingDuration);
    expect(seconds).toBe(2);

    const url = action.params.RecordingUrl ?? '';
    expect(url).toMatch(/^http:\/\//);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/audio\/(x-)?wav/);
    const wav = Buffer.from(await res.arrayBuffer());
    expect(wav.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(wav.subarray(8, 12).toString('latin1')).toBe('WAVE');
    const samples = decodeWav(wav, url);
    // 8 kHz mono: the 2 s of tone (trimmed of silence), and it is the tone.
    expect(samples.length / 8000).toBeGreaterThan(1.8);
    expect(samples.length / 8000).toBeLessThan(2.3);
    expect(Math.abs(dominantFrequency(samples, 8000) - TONE_HZ)).toBeLessThan(10);

    // The recording status callbacks asked for: in-progress at the start, completed with its length.
    const statuses = await h.app.waitForCount('/recording-status', 2, 5000);
    expect(statuses.map((r) => r.params.RecordingStatus)).toEqual(['in-progress', 'completed']);
    for (const r of statuses) {
      expect(r.params).toMatchObject({ AccountSid: action.params.AccountSid, CallSid: action.params.CallSid, RecordingSid: action.params.RecordingSid, RecordingSource: 'RecordVerb', RecordingTrack: 'inbound', RecordingChannels: '1' });
      expect(r.params.RecordingStartTime).toMatch(/ \+0000$/);
    }
    expect(statuses[0]!.params.RecordingDuration).toBeUndefined();
    expect(statuses[1]!.params.RecordingDuration).toBe('2');
  });
});
