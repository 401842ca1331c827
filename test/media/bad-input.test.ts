import dgram from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../media/embedded/audio/wav.js';
import { MediaError } from '../../media/errors.js';
import { RtpPeer, sdpAudioPort } from './helpers/rtp-peer.js';
import { startServer, type TestServer } from './helpers/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(() => t.close());

describe('bad input', () => {
  it('ignores garbage UDP on the media port while the stream keeps flowing', async () => {
    const peer = await RtpPeer.open();
    const ep = await t.server.createEndpoint({ remoteSdp: peer.offer() });
    const port = sdpAudioPort(ep.localSdp);
    const wav = join(t.dir, 'a.wav');
    await writeFile(wav, encodeWav(new Int16Array(8000).fill(3000)));
    const playing = ep.play(wav);
    const junk = dgram.createSocket('udp4');
    const garbage = [
      Buffer.alloc(0),
      Buffer.from([0x80]),
      Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      Buffer.from([0x80, 0x65, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]), // telephone-event with no payload
      Buffer.from([0x80, 0x00, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xff]), // 1-byte PCMU
      Buffer.from([0x9f, 0x00, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]), // 15 CSRCs claimed, none present
      Buffer.from([0x90, 0x00, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xbe, 0xde, 0xff, 0xff]), // bad extension length
      Buffer.from([0x80, 0xc8, 0xff, 0xff, 1, 2, 3]), // truncated RTCP
    ];
    for (let i = 0; i < 20; i++) for (const g of garbage) junk.send(g, port, '127.0.0.1');
    for (let i = 0; i < 50; i++) junk.send(Buffer.from(Array.from({ length: 40 }, (_, k) => (i * 7 + k * 13) & 0xff)), port, '127.0.0.1');
    const outcome = await playing;
    expect(outcome.reason).toBe('finished');
    await peer.waitFor(() => peer.packets.length >= 50, 2000, 'the whole prompt');
    expect(peer.packets.length).toBe(50);
    // Now the peer talks from its socket, and a forger sends a few valid-looking packets:
    // the stream stays latched to the peer.
    const wav2 = join(t.dir, 'b.wav');
    await writeFile(wav2, encodeWav(new Int16Array(1600).fill(3000)));
    await peer.stream(port, 0, [Buffer.alloc(160, 0xff), Buffer.alloc(160, 0xff), Buffer.alloc(160, 0xff)]);
    for (let i = 0; i < 3; i++) {
      const forged = Buffer.alloc(172, 0xff);
      forged.set([0x80, 0x00, 0x00, 10 + i * 5, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef]);
      junk.send(forged, port, '127.0.0.1');
    }
    const junkGot: Buffer[] = [];
    junk.on('message', (m) => junkGot.push(m));
    expect((await ep.play(wav2)).reason).toBe('finished');
    await peer.waitFor(() => peer.packets.length >= 60, 2000, 'the second prompt');
    expect(junkGot).toHaveLength(0);
    junk.close();
    await ep.destroy();
    peer.close();
  });

  it('rejects a WAV that is not a WAV and an unreachable URL with clear errors; the endpoint keeps working', async () => {
    const peer = await RtpPeer.open();
    const ep = await t.server.createEndpoint({ remoteSdp: peer.offer() });
    const fake = join(t.dir, 'fake.wav');
    await writeFile(fake, 'this is not a wav file at all');
    const e1 = await ep.play(fake).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(MediaError);
    expect((e1 as MediaError).code).toBe('bad-audio');
    expect((e1 as Error).message).toContain('fake.wav');
    const e2 = await ep.play(join(t.dir, 'missing.wav')).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(MediaError);
    const e3 = await ep.play('http://127.0.0.1:9/nothing.wav').catch((e: unknown) => e);
    expect(e3).toBeInstanceOf(MediaError);
    expect(['fetch-failed', 'bad-audio']).toContain((e3 as MediaError).code);
    // Still working.
    const ok = join(t.dir, 'ok.wav');
    await writeFile(ok, encodeWav(new Int16Array(1600).fill(1000)));
    expect(await ep.play(ok)).toEqual({ reason: 'finished', playedMs: 200 });
    await peer.waitFor(() => peer.packets.length >= 10, 2000, 'audio after errors');
    await ep.destroy();
    peer.close();
  });

  it('ends every operation with hangup on destroy, and a stop signal ends a prompt with stopped', async () => {
    const peer = await RtpPeer.open();
    const ep = await t.server.createEndpoint({ remoteSdp: peer.offer() });
    const wav = join(t.dir, 'long.wav');
    await writeFile(wav, encodeWav(new Int16Array(8000 * 5)));
    const ac = new AbortController();
    const p1 = ep.play(wav, { signal: ac.signal });
    await peer.waitFor(() => peer.packets.length >= 3, 2000, 'audio');
    ac.abort();
    expect((await p1).reason).toBe('stopped');
    const collecting = ep.collectDigits({ timeoutMs: 10_000 });
    const recording = ep.record({ path: join(t.dir, 'r.wav') });
    const destroyed = new Promise<void>((r) => ep.once('destroy', () => r()));
    await ep.destroy();
    await destroyed;
    expect((await collecting).reason).toBe('hangup');
    expect((await recording).reason).toBe('hangup');
    expect((await ep.play(wav)).reason).toBe('hangup');
    await expect(ep.modify(peer.offer())).rejects.toMatchObject({ code: 'destroyed' });
    peer.close();
  });
});
