/**
 * A recording's audio as MP3 (made from its WAV with ffmpeg, once, and kept
 * beside it) and the deletion of a recording, through HTTP and through the
 * twilio library.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { twilioClientFor } from '../support/twilio-client.js';
import { AUTH_TOKEN, startApi, type ApiHarness } from './api-harness.js';
import { ACCOUNT } from './in-memory-services.js';

let api: ApiHarness;
let dir: string;
const logged: Record<string, unknown>[] = [];
const CALL = 'CA' + 'a'.repeat(32);

/** A WAV of `seconds` of a tone, 8 kHz mono 16-bit, as the engine's recorder writes them. */
function toneWav(path: string, seconds: number): void {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-ar', '8000', '-ac', '1', '-c:a', 'pcm_s16le', '-y', path]);
}

/** What ffprobe says of a file; `duration` leaves out the encoder's delay at the start (the stream's start_time). */
function probe(path: string): { format: string; codec: string; sampleRate: number; duration: number } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=format_name,duration:stream=codec_name,sample_rate,start_time', '-of', 'json', path], { encoding: 'utf8' });
  const json = JSON.parse(out) as { format: { format_name: string; duration: string }; streams: { codec_name: string; sample_rate: string; start_time?: string }[] };
  const stream = json.streams[0];
  const start = Number(stream?.start_time ?? 0);
  return { format: json.format.format_name, codec: stream?.codec_name ?? '', sampleRate: Number(stream?.sample_rate), duration: Number(json.format.duration) - (Number.isFinite(start) ? start : 0) };
}

/** Seconds of audio a file decodes to (8 kHz mono). */
function decodedSeconds(path: string): number {
  return execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', path, '-f', 's16le', '-ar', '8000', '-ac', '1', '-'], { maxBuffer: 64 * 1024 * 1024 }).length / 2 / 8000;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dialtone-api-mp3-'));
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (logged.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) });
  api = await startApi({ logger: pino({ level: 'info' }, sink) });
});
afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

describe('GET /Recordings/{Sid}.mp3', () => {
  test('the WAV converted to MP3: audio/mpeg, its length, MP3 bytes of the same duration; made once and kept beside the WAV', async () => {
    const wav = join(dir, 'tone.wav');
    toneWav(wav, 2.5);
    const r = api.recordings.add({ callSid: CALL }, wav);
    const res = await api.request(`/Recordings/${r.sid}.mp3`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('content-length')).toBe(String(body.length));
    // An ID3 tag, or straight away an MPEG audio frame (11 bits of frame sync).
    const frame = body.subarray(0, 3).toString('latin1') === 'ID3' ? body.subarray(10 + ((body[6]! << 21) | (body[7]! << 14) | (body[8]! << 7) | body[9]!)) : body;
    expect(frame[0]).toBe(0xff);
    expect(frame[1]! & 0xe0).toBe(0xe0);
    const downloaded = join(dir, 'downloaded.mp3');
    await writeFile(downloaded, body);
    const got = probe(downloaded);
    expect(got).toMatchObject({ format: 'mp3', codec: 'mp3', sampleRate: 8000 });
    // Within one MP3 frame (72 ms at 8 kHz); decoded, to the sample.
    expect(Math.abs(got.duration - probe(wav).duration)).toBeLessThan(0.08);
    expect(decodedSeconds(downloaded)).toBeCloseTo(decodedSeconds(wav), 2);

    const cached = join(dir, 'tone.mp3');
    expect(existsSync(cached)).toBe(true);
    const madeAt = statSync(cached).mtimeMs;
    const again = await api.request(`/Recordings/${r.sid}.mp3`);
    expect(Buffer.from(await again.arrayBuffer())).toEqual(body);
    expect(statSync(cached).mtimeMs).toBe(madeAt);
  });

  test('requests at the same time all get the whole MP3; no partial file is left beside it', async () => {
    const wav = join(dir, 'together.wav');
    toneWav(wav, 1);
    const r = api.recordings.add({ callSid: CALL }, wav);
    const bodies = await Promise.all([1, 2, 3].map(async () => Buffer.from(await (await api.request(`/Recordings/${r.sid}.mp3`)).arrayBuffer())));
    expect(bodies[0]!.length).toBeGreaterThan(1000);
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    expect(readdirSync(dir).filter((f) => f.startsWith('together.')).sort()).toEqual(['together.mp3', 'together.wav']);
  });

  test('a WAV ffmpeg cannot read: 500 with code 20500, the reason in the log, and the API still answers', async () => {
    const broken = join(dir, 'broken.wav');
    await writeFile(broken, Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'), Buffer.alloc(64, 7)]));
    const r = api.recordings.add({ callSid: CALL }, broken);
    const res = await api.request(`/Recordings/${r.sid}.mp3`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ code: 20500, message: 'The recording could not be converted to MP3', more_info: 'https://www.twilio.com/docs/errors/20500', status: 500 });
    const line = logged.find((l) => l.msg === 'the recording could not be converted to MP3');
    expect(line).toMatchObject({ recordingSid: r.sid, file: broken });
    expect(String(line?.reason)).toMatch(/ffmpeg failed/);
    expect(existsSync(join(dir, 'broken.mp3'))).toBe(false);
    expect((await api.request(`/Recordings/${r.sid}.json`)).status).toBe(200);
  });
});

describe('DELETE /Recordings/{Sid}.json', () => {
  test('the twilio library removes a recording: fetching it afterwards is 404, it leaves the list', async () => {
    const { client } = twilioClientFor(api.base, ACCOUNT, AUTH_TOKEN);
    const r = api.recordings.add({ callSid: CALL });
    expect(await client.recordings(r.sid).remove()).toBe(true);
    await expect(client.recordings(r.sid).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    expect((await client.recordings.list({ callSid: CALL })).map((x) => x.sid)).not.toContain(r.sid);
    await expect(client.recordings(r.sid).remove()).rejects.toMatchObject({ status: 404, code: 20404 });
  });

  test('a recording in progress: 400 with code 20009, and it stays', async () => {
    const r = api.recordings.add({ callSid: CALL, status: 'in-progress' });
    const res = await api.request(`/Recordings/${r.sid}.json`, { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: number }).code).toBe(20009);
    expect((await api.request(`/Recordings/${r.sid}.json`)).status).toBe(200);
  });
});
