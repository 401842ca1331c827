import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MediaCache } from '../../../media/cache.js';
import { encodeWav } from '../../../media/embedded/audio/wav.js';
import { dominantFrequency } from '../../../media/embedded/dsp/silence.js';
import { generateTone } from '../../../media/embedded/dsp/tone.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const root = mkdtempSync(join(tmpdir(), 'dialtone-cache-'));
let server: Server;
let base: string;
let handler: Handler;
/** Requests the server received, with the headers that matter. */
let seen: Array<{ url: string; ifNoneMatch?: string; ifModifiedSince?: string }>;
let dirCount = 0;

const tone440 = encodeWav(generateTone([440], 1000));
const tone880 = encodeWav(generateTone([880], 500));

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({
      url: req.url ?? '',
      ifNoneMatch: req.headers['if-none-match'],
      ifModifiedSince: req.headers['if-modified-since'],
    });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
});
afterEach(() => {
  seen = [];
});
seen = [];

function newDir(): string {
  return join(root, `c${++dirCount}`);
}

function serve(body: Buffer, headers: Record<string, string> = {}): Handler {
  return (req, res) => {
    const etag = headers.etag;
    if (etag !== undefined && req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'audio/wav', ...headers }).end(body);
  };
}

describe('MediaCache over HTTP', () => {
  it('downloads and converts once; a second play makes no request and no conversion', async () => {
    handler = serve(tone440);
    const cache = new MediaCache({ dir: newDir() });
    const first = await cache.get(`${base}/hello.wav`);
    expect(first.length).toBe(8000);
    expect(dominantFrequency(first, 8000)).toBeCloseTo(440, 0);
    const second = await cache.get(`${base}/hello.wav`);
    expect([...second]).toEqual([...first]);
    expect(seen.length).toBe(1);
    expect(cache.stats).toMatchObject({ requests: 1, conversions: 1, memoryHits: 1 });
  });

  it("still downloads in a process that used Node's own fetch before loading the cache", async () => {
    // Node's fetch then owns the global dispatcher (its bundled undici, with another handler API).
    handler = serve(tone440);
    const cacheModule = pathToFileURL(join(import.meta.dirname, '../../../media/cache.ts')).href;
    const script = `
      await (await fetch('${base}/warm-up.wav')).arrayBuffer();
      const { MediaCache } = await import('${cacheModule}');
      const pcm = await new MediaCache({ dir: '${newDir()}' }).get('${base}/after-fetch.wav');
      console.log(pcm.length);`;
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 20_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim()),
      );
    });
    expect(out).toBe('8000');
  });

  it('keeps converted copies on disk: a new cache instance (restart) reuses them without a request', async () => {
    handler = serve(tone440, { 'cache-control': 'max-age=3600' });
    const dir = newDir();
    await new MediaCache({ dir }).get(`${base}/disk.wav`);
    expect(readdirSync(dir).sort().map((n) => n.slice(-4))).toEqual(['json', '.pcm']);
    const restarted = new MediaCache({ dir });
    const again = await restarted.get(`${base}/disk.wav`);
    expect(again.length).toBe(8000);
    expect(seen.length).toBe(1);
    expect(restarted.stats).toMatchObject({ requests: 0, conversions: 0, diskHits: 1 });
  });

  it('revalidates a stale entry with If-None-Match and keeps the converted copy on 304', async () => {
    let t = 1_000_000;
    handler = serve(tone440, { etag: '"v1"', 'cache-control': 'max-age=60', 'last-modified': 'Wed, 01 Jan 2025 00:00:00 GMT' });
    const cache = new MediaCache({ dir: newDir(), now: () => t });
    const url = `${base}/stale.wav`;
    await cache.get(url);
    t += 30_000; // still fresh
    await cache.get(url);
    expect(seen.length).toBe(1);
    t += 31_000; // now stale
    const revalidated = await cache.get(url);
    expect(seen.length).toBe(2);
    expect(seen[1]).toMatchObject({ ifNoneMatch: '"v1"', ifModifiedSince: 'Wed, 01 Jan 2025 00:00:00 GMT' });
    expect(revalidated.length).toBe(8000);
    expect(cache.stats).toMatchObject({ requests: 2, notModified: 1, conversions: 1 });
    // The 304 made it fresh for another 60 s.
    t += 59_000;
    await cache.get(url);
    expect(seen.length).toBe(2);
  });

  it('fetches the new audio when the resource changed (200 on revalidation)', async () => {
    let t = 0;
    handler = serve(tone440, { etag: '"a"', 'cache-control': 'no-cache' });
    const cache = new MediaCache({ dir: newDir(), now: () => t });
    const url = `${base}/changing.wav`;
    expect((await cache.get(url)).length).toBe(8000);
    handler = serve(tone880, { etag: '"b"', 'cache-control': 'no-cache' });
    t += 1;
    const changed = await cache.get(url);
    expect(changed.length).toBe(4000);
    expect(dominantFrequency(changed, 8000)).toBeCloseTo(880, 0);
    expect(seen[1].ifNoneMatch).toBe('"a"');
    expect(cache.stats.conversions).toBe(2);
  });

  it('no-cache: revalidates on every play, each answered 304 without conversion', async () => {
    handler = serve(tone440, { etag: '"x"', 'cache-control': 'no-cache' });
    const cache = new MediaCache({ dir: newDir() });
    for (let i = 0; i < 3; i++) expect((await cache.get(`${base}/nc.wav`)).length).toBe(8000);
    expect(seen.length).toBe(3);
    expect(cache.stats).toMatchObject({ notModified: 2, conversions: 1 });
  });

  it('without validators or freshness info, reuses for the default TTL then downloads again', async () => {
    let t = 0;
    handler = serve(tone440);
    const cache = new MediaCache({ dir: newDir(), now: () => t, defaultTtlMs: 5000 });
    await cache.get(`${base}/plain.wav`);
    t = 4999;
    await cache.get(`${base}/plain.wav`);
    expect(seen.length).toBe(1);
    t = 5000;
    await cache.get(`${base}/plain.wav`);
    expect(seen.length).toBe(2);
    expect(seen[1].ifNoneMatch).toBeUndefined();
  });

  it('no-store responses are not kept', async () => {
    handler = serve(tone440, { 'cache-control': 'no-store' });
    const dir = newDir();
    const cache = new MediaCache({ dir });
    await cache.get(`${base}/secret.wav`);
    await cache.get(`${base}/secret.wav`);
    expect(seen.length).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('concurrent plays of one URL share a single download', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    handler = (req, res) => {
      void gate.then(() => serve(tone440)(req, res));
    };
    const cache = new MediaCache({ dir: newDir() });
    const plays = Array.from({ length: 10 }, () => cache.get(`${base}/shared.wav`));
    await expect.poll(() => seen.length).toBe(1);
    release();
    const results = await Promise.all(plays);
    expect(results.every((r) => r.length === 8000)).toBe(true);
    expect(seen.length).toBe(1);
    expect(cache.stats.conversions).toBe(1);
  });

  it('one caller giving up does not cancel the download for the others', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    handler = (req, res) => void gate.then(() => serve(tone440)(req, res));
    const cache = new MediaCache({ dir: newDir() });
    const ac = new AbortController();
    const quitter = cache.get(`${base}/abort.wav`, ac.signal);
    const stayer = cache.get(`${base}/abort.wav`);
    await expect.poll(() => seen.length).toBe(1);
    ac.abort(new Error('redirected'));
    await expect(quitter).rejects.toThrow('redirected');
    release();
    expect((await stayer).length).toBe(8000);
  });

  it('follows redirects', async () => {
    handler = (req, res) => {
      if (req.url === '/old.wav') res.writeHead(302, { location: '/new.wav' }).end();
      else serve(tone440)(req, res);
    };
    const cache = new MediaCache({ dir: newDir() });
    expect((await cache.get(`${base}/old.wav`)).length).toBe(8000);
    expect(seen.map((s) => s.url)).toEqual(['/old.wav', '/new.wav']);
  });

  it('404 and 500 give fetch-failed naming the URL and status', async () => {
    const cache = new MediaCache({ dir: newDir() });
    handler = (_req, res) => res.writeHead(404).end('nope');
    await expect(cache.get(`${base}/missing.wav`)).rejects.toMatchObject({
      code: 'fetch-failed',
      message: expect.stringMatching(/\/missing\.wav.*HTTP 404/),
    });
    handler = (_req, res) => res.writeHead(500).end();
    await expect(cache.get(`${base}/broken.wav`)).rejects.toMatchObject({ code: 'fetch-failed', message: expect.stringContaining('HTTP 500') });
    // Failures are not cached: the next play tries again.
    handler = serve(tone440);
    expect((await cache.get(`${base}/missing.wav`)).length).toBe(8000);
  });

  it('connection refused gives fetch-failed', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const cache = new MediaCache({ dir: newDir() });
    await expect(cache.get(`http://127.0.0.1:${port}/x.wav`)).rejects.toMatchObject({
      code: 'fetch-failed',
      message: expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${port}/x\\.wav.*connection refused`)),
    });
  });

  it('a server that never answers gives fetch-failed after the timeout', async () => {
    handler = () => undefined; // hold the request open
    const cache = new MediaCache({ dir: newDir(), fetchTimeoutMs: 300 });
    await expect(cache.get(`${base}/hang.wav`)).rejects.toMatchObject({
      code: 'fetch-failed',
      message: expect.stringContaining('no complete response within 300 ms'),
    });
  });

  it('a body that is not audio gives bad-audio and is not cached', async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>oops</html>');
    const cache = new MediaCache({ dir: newDir() });
    await expect(cache.get(`${base}/page.wav`)).rejects.toMatchObject({ code: 'bad-audio', message: expect.stringContaining('/page.wav') });
    await expect(cache.get(`${base}/page.wav`)).rejects.toMatchObject({ code: 'bad-audio' });
    expect(seen.length).toBe(2);
  });

  it('decodes MP3 downloads through ffmpeg', async () => {
    const mp3 = join(root, 'tone.mp3');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=600:duration=1', mp3]);
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(readFileSync(mp3));
    const cache = new MediaCache({ dir: newDir() });
    const pcm = await cache.get(`${base}/tone.mp3`);
    expect(dominantFrequency(pcm, 8000)).toBeCloseTo(600, 0);
  });
});

describe('MediaCache with local files', () => {
  it('reads plain paths and file:// URLs, reuses while unchanged, re-reads when the file changes', async () => {
    const path = join(root, 'local.wav');
    writeFileSync(path, tone440);
    const cache = new MediaCache({ dir: newDir() });
    expect((await cache.get(path)).length).toBe(8000);
    expect((await cache.get(pathToFileURL(path).href)).length).toBe(8000);
    expect(cache.stats).toMatchObject({ conversions: 1, memoryHits: 1 });
    writeFileSync(path, tone880);
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    const changed = await cache.get(path);
    expect(changed.length).toBe(4000);
    expect(cache.stats.conversions).toBe(2);
  });

  it('a missing file or an unsupported scheme gives fetch-failed naming it', async () => {
    const cache = new MediaCache({ dir: newDir() });
    await expect(cache.get(join(root, 'nope.wav'))).rejects.toMatchObject({
      code: 'fetch-failed',
      message: expect.stringMatching(/nope\.wav.*no such file/),
    });
    await expect(cache.get('ftp://example.com/a.wav')).rejects.toMatchObject({ code: 'fetch-failed' });
  });
});
