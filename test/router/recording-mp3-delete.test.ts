/**
 * A recording the engine made, as MP3 (through the REST API with the
 * account's credentials, and as RecordingUrl.mp3 from the engine's own HTTP
 * server), then deleted through the twilio library: its record and both
 * audio files go.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { basicAuth } from '../api/api-harness.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { CallerMedia } from './helpers/caller-media.js';
import { recordOneCall } from './helpers/record-call.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter } from './helpers/router-harness.js';

/** ffprobe's duration of an audio file, without the encoder's delay at the start. */
function seconds(path: string): number {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name,start_time', '-of', 'json', path], { encoding: 'utf8' });
  const json = JSON.parse(out) as { format: { duration: string }; streams: { start_time?: string }[] };
  const start = Number(json.streams[0]?.start_time ?? 0);
  return Number(json.format.duration) - (Number.isFinite(start) ? start : 0);
}

function codec(path: string): string {
  return execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'default=nw=1:nk=1', path], { encoding: 'utf8' }).trim();
}

describe('a recording as MP3, then deleted', () => {
  it('GET Recordings/{Sid}.mp3 and RecordingUrl.mp3 serve the WAV as MP3 of its duration; remove() deletes the record and the files', async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'voicemail', voice: '/voice' }] });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    const { recordingSid } = await recordOneCall(h, media);
    expect(recordingSid).toMatch(/^RE[0-9a-f]{32}$/);

    const auth = { authorization: basicAuth(ACCOUNT_SID, AUTH_TOKEN) };
    const resource = `${h.apiBase}/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${recordingSid}`;
    const wav = join(h.dataDir, 'recordings', `${recordingSid}.wav`);
    const mp3 = join(h.dataDir, 'recordings', `${recordingSid}.mp3`);
    expect(existsSync(wav)).toBe(true);
    expect((await fetch(`${resource}.mp3`)).status).toBe(401);

    const res = await fetch(`${resource}.mp3`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('content-length')).toBe(String(body.length));
    const downloaded = join(h.dataDir, 'downloaded.mp3');
    await writeFile(downloaded, body);
    expect(codec(downloaded)).toBe('mp3');
    expect(Math.abs(seconds(downloaded) - seconds(wav))).toBeLessThan(0.08);
    // Kept beside the WAV, and what the engine's own server gives for RecordingUrl.mp3 too.
    expect(existsSync(mp3)).toBe(true);
    const byUrl = await fetch(`${h.httpBase}/recordings/${recordingSid}.mp3`);
    expect(byUrl.status).toBe(200);
    expect(byUrl.headers.get('content-type')).toBe('audio/mpeg');
    expect(Buffer.from(await byUrl.arrayBuffer())).toEqual(body);

    const client = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN).client;
    expect((await client.recordings(recordingSid).fetch()).status).toBe('completed');
    expect(await client.recordings(recordingSid).remove()).toBe(true);
    await expect(client.recordings(recordingSid).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    expect((await client.recordings.list()).map((r) => r.sid)).not.toContain(recordingSid);
    expect(existsSync(wav)).toBe(false);
    expect(existsSync(mp3)).toBe(false);
    expect((await fetch(`${resource}.mp3`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${h.httpBase}/recordings/${recordingSid}`)).status).toBe(404);
  });
});
