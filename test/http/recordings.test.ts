import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EngineHttpServer } from '../../engine/http/http-server.js';
import { silentLogger } from '../../engine/logger.js';

const SID = 'RE' + 'a1'.repeat(16);
const WAV = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(40, 1)]);
let dir: string;
let server: EngineHttpServer;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dialtone-http-'));
  await writeFile(join(dir, `${SID}.wav`), WAV);
  server = new EngineHttpServer({ address: '127.0.0.1', port: 0, recordingsDir: dir, logger: silentLogger() });
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

  test.each([
    `/recordings/${SID}.mp3`,
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
