import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EngineHttpServer } from '../../engine/http/http-server.js';

const SID = 'RE' + 'a1'.repeat(16);
const TONE_SID = 'RE' + 'b2'.repeat(16);
const logged: Record<string, unknown>[] = [];
const WAV = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(40, 1)]);
let dir: string;
let server: EngineHttpServer;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dialtone-http-'));
  await writeFile(join(dir, `${SID}.wav`), WAV);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-ar', '8000', '-ac', '1', '-y', join(dir, `${TONE_SID}.wav`)]);
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (logged.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) });
  server = new EngineHttpServer({ address: '127.0.0.1', port: 0, recordingsDir: dir, logger: pino({ level: 'warn' }, sink) });
  const addr = await server.start();
  base = `http://127.0.0.1:${addr.port}`;
});

afterAll(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('recordings over HTTP', () => {
  test.each([`/recordings/${SID}`, `/recordings/${SID}.wav`])('GET %s returns the WAV file', async (path) => {
    const res = await fetch(base + path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(WAV);
  });

  test('HEAD gives the length without a body', async () => {
    const res = await fetch(`${base}/recordings/${SID}.wav`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(WAV.length));
  });

  test('GET .mp3 (RecordingUrl.mp3) gives the WAV as MP3, made once and kept beside it', async () => {
    const res = await fetch(`${base}/recordings/${TONE_SID}.mp3`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('content-length')).toBe(String(body.length));
    const mp3 = join(dir, `${TONE_SID}.mp3`);
    expect(existsSync(mp3)).toBe(true);
    expect(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'default=nw=1:nk=1', mp3], { encoding: 'utf8' }).trim()).toBe('mp3');
  });

  test('GET .mp3 of a WAV ffmpeg cannot read is 500, with the reason logged', async () => {
    const res = await fetch(`${base}/recordings/${SID}.mp3`);
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('could not be converted to MP3');
    expect(logged.find((l) => l.msg === 'the recording could not be converted to MP3')).toMatchObject({ recordingSid: SID, reason: expect.stringContaining('ffmpeg failed') as unknown });
  });

  test.each([
    `/recordings/RE${'0'.repeat(32)}.mp3`,
    `/recordings/RE${'0'.repeat(32)}.wav`,
    '/recordings/..%2F..%2Fetc%2Fpasswd',
    '/recordings/',
    '/other',
  ])('GET %s is 404', async (path) => {
    const res = await fetch(base + path);
    expect(res.status).toBe(404);
  });

  test('POST is refused with 405', async () => {
    const res = await fetch(`${base}/recordings/${SID}`, { method: 'POST' });
    expect(res.status).toBe(405);
  });
});
