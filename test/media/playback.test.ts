import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../media/embedded/audio/wav.js';
import { mulawDecode } from '../../media/embedded/audio/g711.js';
import { generateTone } from '../../media/embedded/dsp/tone.js';
import { dominantFrequency } from '../../media/embedded/dsp/silence.js';
import { EmbeddedMediaServer } from '../../media/embedded/embedded-media-server.js';
import { RtpPeer } from './helpers/rtp-peer.js';

let dir: string;
let server: EmbeddedMediaServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dialtone-media-'));
  server = new EmbeddedMediaServer({
    rtpPortMin: 0,
    rtpPortMax: 0,
    bindAddress: '127.0.0.1',
    advertisedAddress: '127.0.0.1',
    cacheDir: join(dir, 'cache'),
  });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('playback over RTP', () => {
  it('plays a WAV file: right packet count, PT, continuous seq/timestamps, 20 ms pacing', async () => {
    const wav = join(dir, 'tone.wav');
    // 1 s of 440 Hz at 16 kHz: converted to 8 kHz, 50 frames of 20 ms.
    await writeFile(wav, encodeWav(generateTone([440], 1000, 0.5, { sampleRate: 16000 }), 16000));
    const peer = await RtpPeer.open();
    const ep = await server.createEndpoint({ remoteSdp: peer.offer() });
    expect(ep.localSdp).toMatch(/^m=audio \d+ RTP\/AVP 0 8 101/m);
    const outcome = await ep.play(wav);
    expect(outcome).toEqual({ reason: 'finished', playedMs: 1000 });
    await peer.waitFor(() => peer.packets.length >= 50, 2000, '50 packets');
    const p = peer.packets;
    expect(p.length).toBe(50);
    expect(p.every((x) => x.pt === 0 && x.payload.length === 160)).toBe(true);
    expect(p[0].marker).toBe(true);
    expect(p.slice(1).some((x) => x.marker)).toBe(false);
    for (let i = 1; i < p.length; i++) {
      expect((p[i].seq - p[i - 1].seq) & 0xffff).toBe(1);
      expect((p[i].ts - p[i - 1].ts) >>> 0).toBe(160);
      expect(p[i].ssrc).toBe(p[0].ssrc);
    }
    const intervals = p.slice(1).map((x, i) => x.at - p[i].at);
    const mean = intervals.reduce((a, b) => a + b, 0) / intervals.length;
    const devs = intervals.map((x) => Math.abs(x - 20)).sort((a, b) => a - b);
    const p90 = devs[Math.floor(devs.length * 0.9)];
    console.log(
      `send intervals: mean ${mean.toFixed(3)} ms, deviation p50 ${devs[devs.length >> 1].toFixed(3)} ` +
        `p90 ${p90.toFixed(3)} max ${devs[devs.length - 1].toFixed(3)} ms`,
    );
    // Deadlines are absolute: whatever one late tick does, the average stays 20 ms.
    expect(mean).toBeGreaterThan(19.5);
    expect(mean).toBeLessThan(20.5);
    // The median is robust to scheduling hiccups on a loaded machine, not to a broken clock
    // (a clock chaining 20 ms timers drifts by ~1 ms each tick; a timer per packet bunches).
    expect(devs[devs.length >> 1]).toBeLessThan(2);
    // The audio is the tone.
    const pcm = mulawDecode(Buffer.concat(p.map((x) => x.payload)));
    expect(Math.abs(dominantFrequency(pcm, 8000) - 440)).toBeLessThan(10);
    await ep.destroy();
    peer.close();
  });
});
