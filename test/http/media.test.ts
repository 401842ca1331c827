import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EngineHttpServer } from '../../engine/http/http-server.js';
import { silentLogger } from '../../engine/logger.js';

/** A prompt as the FreeSWITCH driver publishes it: named by 32 hex digits of its content's hash. */
const NAME = 'c0ffee'.padEnd(32, '0') + '.wav';
const WAV = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(60, 7)]);
let dir: string;
let server: EngineHttpServer;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dialtone-media-http-'));
  await writeFile(join(dir, NAME), WAV);
  server = new EngineHttpServer({ address: '127.0.0.1', port: 0, recordingsDir: dir, mediaDir: dir, logger: silentLogger() });
  const addr = await server.start();
  base = `http://127.0.0.1:${addr.port}`;
});

afterAll(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('prompts for FreeSWITCH over HTTP (/media)', () => {
  test('GET returns the WAV, cacheable for good; HEAD gives its length without a body', async () => {
    const res = await fetch(`${base}/media/${NAME}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(WAV);
    const head = await fetch(`${base}/media/${NAME}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(WAV.length));
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  test('a name that is not a published prompt, or a missing one, is 404; other methods 405', async () => {
    for (const path of ['/media/../recordings.wav', '/media/x.wav', `/media/${'0'.repeat(32)}.wav`, '/media/']) {
      expect((await fetch(base + path)).status, path).toBe(404);
    }
    const post = await fetch(`${base}/media/${NAME}`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});
