import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alawDecode, alawEncode, mulawDecode, mulawEncode } from '../../media/embedded/audio/g711.js';
import { decodeWav } from '../../media/embedded/audio/wav.js';
import { generateTone } from '../../media/embedded/dsp/tone.js';
import { dominantFrequency } from '../../media/embedded/dsp/silence.js';
import { RtpPeer, sdpAudioPort } from './helpers/rtp-peer.js';
import { startServer, type TestServer } from './helpers/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(() => t.close());

function frames(pcm: Int16Array, encode: (f: Int16Array) => Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i + 160 <= pcm.length; i += 160) out.push(encode(pcm.subarray(i, i + 160)));
  return out;
}

describe('record', () => {
  it('records a 1 kHz tone sent as PCMU and finds 1 kHz in the WAV file; ends on max length', async () => {
    const peer = await RtpPeer.open();
    const ep = await t.server.createEndpoint({ remoteSdp: peer.offer() });
    const path = join(t.dir, 'rec.wav');
    const recording = ep.record({ path, maxLengthMs: 1000 });
    await peer.stream(sdpAudioPort(ep.localSdp), 0, frames(generateTone([1000], 1500, 0.5), mulawEncode));
    const outcome = await recording;
    expect(outcome.reason).toBe('max-length');
    expect(outcome.durationMs).toBe(1000);
    const pcm = decodeWav(await readFile(path));
    expect(pcm.length).toBe(8000);
    expect(Math.abs(dominantFrequency(pcm, 8000) - 1000)).toBeLessThan(10);
    await ep.destroy();
    peer.close();
  });

  it('ends on silence, and on a finish key, with the key not left for digit collection', async () => {
    const peer = await RtpPeer.open();
    const ep = await t.server.createEndpoint({ remoteSdp: peer.offer() });
    const port = sdpAudioPort(ep.localSdp);
    // The peer sends nothing at all: time still passes and the silence ends the recording.
    const silent = await ep.record({ path: join(t.dir, 'silent.wav'), silenceTimeoutMs: 600 });
    expect(silent.reason).toBe('silence');
    expect(silent.durationMs).toBeGreaterThanOrEqual(600);
    const rec = ep.record({ path: join(t.dir, 'key.wav'), finishOnKey: '#', trim: true });
    await peer.stream(port, 0, frames(generateTone([700], 400, 0.5), mulawEncode));
    const ts = peer.advanceTs(160);
    for (let i = 0; i < 3; i++) peer.send(port, 101, Buffer.from([11, 0x80 | 10, 3, 0x20]), { ts, marker: i === 0 });
    const keyed = await rec;
    expect(keyed.reason).toBe('digit');
    expect(keyed.digit).toBe('#');
    // Trimmed to about the 400 ms of tone.
    expect(keyed.durationMs).toBeGreaterThan(300);
    expect(keyed.durationMs).toBeLessThan(600);
    const after = await ep.collectDigits({ maxDigits: 1, timeoutMs: 200 });
    expect(after.reason).toBe('timeout');
    await ep.destroy();
    peer.close();
  });
});

describe('bridge', () => {
  it('carries audio both ways between a PCMU and a PCMA endpoint, transcoding', async () => {
    const a = await RtpPeer.open();
    const b = await RtpPeer.open();
    const epA = await t.server.createEndpoint({ remoteSdp: a.offer({ codecs: ['0 PCMU/8000'] }) });
    const epB = await t.server.createEndpoint({ remoteSdp: b.offer({ codecs: ['8 PCMA/8000'] }) });
    expect(epA.stats().codec).toBe('PCMU');
    expect(epB.stats().codec).toBe('PCMA');
    await epA.bridge(epB);
    await Promise.all([
      a.stream(sdpAudioPort(epA.localSdp), 0, frames(generateTone([500], 1000, 0.5), mulawEncode)),
      b.stream(sdpAudioPort(epB.localSdp), 8, frames(generateTone([1500], 1000, 0.5), alawEncode)),
    ]);
    await a.waitFor(() => a.packets.length >= 40, 2000, 'audio at A');
    await b.waitFor(() => b.packets.length >= 40, 2000, 'audio at B');
    expect(a.packets.every((p) => p.pt === 0)).toBe(true);
    expect(b.packets.every((p) => p.pt === 8)).toBe(true);
    const atA = mulawDecode(Buffer.concat(a.packets.map((p) => p.payload)));
    const atB = alawDecode(Buffer.concat(b.packets.map((p) => p.payload)));
    expect(Math.abs(dominantFrequency(atA, 8000) - 1500)).toBeLessThan(15);
    expect(Math.abs(dominantFrequency(atB, 8000) - 500)).toBeLessThan(15);
    // DTMF from A reaches B as RFC 4733.
    const ts = a.advanceTs(160);
    for (let i = 0; i < 3; i++) a.send(sdpAudioPort(epA.localSdp), 101, Buffer.from([7, 0x80 | 10, 3, 0x20]), { ts, marker: i === 0 });
    await b.waitFor(() => b.packets.some((p) => p.pt === 101), 2000, 'forwarded DTMF');
    expect(b.packets.find((p) => p.pt === 101)?.payload[0]).toBe(7);
    await epA.unbridge();
    await Promise.all([epA.destroy(), epB.destroy()]);
    a.close();
    b.close();
  });
});
