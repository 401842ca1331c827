import http from 'node:http';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../media/embedded/audio/wav.js';
import { generateTone } from '../../media/embedded/dsp/tone.js';
import { CachedTts } from '../../media/embedded/tts/tts-cache.js';
import { EspeakProvider } from '../../media/embedded/tts/espeak-provider.js';
import type { TtsOptions, TtsProvider } from '../../media/embedded/tts/tts-provider.js';
import { RtpPeer } from './helpers/rtp-peer.js';
import { startServer, type TestServer } from './helpers/server.js';

let synthesized = 0;
const counting: TtsProvider = {
  synthesize(text: string, opts: TtsOptions, signal?: AbortSignal) {
    synthesized++;
    return new EspeakProvider().synthesize(text, opts, signal);
  },
};

let t: TestServer;
let web: http.Server;
let requests = 0;
const wav = encodeWav(generateTone([600], 400, 0.5));

beforeAll(async () => {
  web = http.createServer((req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'audio/wav', etag: '"v1"', 'cache-control': 'max-age=3600' });
    res.end(wav);
  });
  web.listen(0, '127.0.0.1');
  await once(web, 'listening');
  t = await startServer();
});
afterAll(async () => {
  await t.close();
  web.close();
});

describe('prompts from HTTP and TTS', () => {
  it('fetches an HTTP-served WAV once and plays it from the cache the second time', async () => {
    const peer = await RtpPeer.open();
    const ep = await t.server.createEndpoint({ remoteSdp: peer.offer() });
    const url = `http://127.0.0.1:${(web.address() as { port: number }).port}/prompt.wav`;
    expect(await ep.play(url)).toEqual({ reason: 'finished', playedMs: 400 });
    expect(await ep.play(url)).toEqual({ reason: 'finished', playedMs: 400 });
    expect(requests).toBe(1);
    await peer.waitFor(() => peer.packets.length >= 40, 2000, 'both plays');
    await ep.destroy();
    peer.close();
  });

  it('speaks with espeak-ng and synthesizes a repeated prompt only once', async () => {
    const s = await startServer({ tts: new CachedTts(counting, { dir: join(t.dir, 'tts') }) });
    const peer = await RtpPeer.open();
    const ep = await s.server.createEndpoint({ remoteSdp: peer.offer() });
    const first = await ep.say('Hello from dialtone', { language: 'en-US' });
    expect(first.reason).toBe('finished');
    expect(first.playedMs).toBeGreaterThan(500);
    const t0 = performance.now();
    const second = ep.say('Hello from dialtone', { language: 'en-US' });
    await peer.waitFor(() => peer.packets.length > first.playedMs / 20 + 1, 2000, 'second prompt starts');
    const startDelay = performance.now() - t0;
    expect((await second).playedMs).toBe(first.playedMs);
    expect(synthesized).toBe(1);
    expect(startDelay).toBeLessThan(200);
    await ep.destroy();
    peer.close();
    await s.close();
  });
});
