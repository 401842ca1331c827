import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alawEncode, mulawEncode } from '../../media/embedded/audio/g711.js';
import { EncodedClip } from '../../media/embedded/codecs/encoded-clip.js';
import { EmbeddedMediaServer } from '../../media/embedded/embedded-media-server.js';
import { RtpPeer } from './helpers/rtp-peer.js';

/** Deterministic noise over the whole 16-bit range, so every table entry matters. */
function noise(n: number, seed: number): Int16Array {
  const out = new Int16Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = (x >>> 16) - 32768;
  }
  return out;
}

/** The frames a prompt must produce: each clip cut in 160-sample frames, its last one padded with silence. */
function expectedFrames(clips: Int16Array[], loops: number, encode: (pcm: Int16Array) => Buffer): Buffer[] {
  const frames: Buffer[] = [];
  for (let r = 0; r < loops; r++) {
    for (const c of clips) {
      for (let i = 0; i < c.length; i += 160) {
        const f = new Int16Array(160);
        f.set(c.subarray(i, Math.min(c.length, i + 160)));
        frames.push(encode(f));
      }
    }
  }
  return frames;
}

const clips: Record<string, Int16Array> = {
  a: noise(250, 1), // one whole frame, then 90 samples and padding
  empty: new Int16Array(0),
  b: noise(320, 2), // exactly two frames
  long: noise(8000 * 2 + 37, 3), // more than one encoding block
};

let dir: string;
let server: EmbeddedMediaServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dialtone-encoded-'));
  server = new EmbeddedMediaServer({
    rtpPortMin: 0,
    rtpPortMax: 0,
    bindAddress: '127.0.0.1',
    advertisedAddress: '127.0.0.1',
    cacheDir: join(dir, 'cache'),
    loader: {
      get: async (name: string) => {
        const c = clips[name];
        if (!c) throw new Error(`no clip ${name}`);
        return c;
      },
    },
  });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('G.711 prompts sent from clips encoded once', () => {
  for (const [codec, pt, encode] of [
    ['PCMU', 0, mulawEncode],
    ['PCMA', 8, alawEncode],
  ] as const) {
    it(`${codec}: every payload equals the reference encoding of its frame, padding included, across loops`, async () => {
      const peer = await RtpPeer.open();
      const ep = await server.createEndpoint({ remoteSdp: peer.offer({ codecs: [`${pt} ${codec}/8000`] }) });
      try {
        const outcome = await ep.play(['a', 'empty', 'b'], { loop: 2 });
        const want = expectedFrames([clips.a, clips.empty, clips.b], 2, encode);
        expect(outcome).toEqual({ reason: 'finished', playedMs: want.length * 20 });
        await peer.waitFor(() => peer.packets.length >= want.length, 5000, `${want.length} packets`);
        expect(peer.packets.map((p) => p.pt)).toEqual(want.map(() => pt));
        expect(peer.packets.map((p) => p.payload.toString('hex'))).toEqual(want.map((b) => b.toString('hex')));
      } finally {
        await ep.destroy();
        peer.close();
      }
    });
  }

  it('two streams playing one long clip at once send the same bytes, each from its own position', async () => {
    const peers = [await RtpPeer.open(), await RtpPeer.open()];
    const eps = await Promise.all(peers.map((p) => server.createEndpoint({ remoteSdp: p.offer({ codecs: ['0 PCMU/8000'] }) })));
    try {
      const want = expectedFrames([clips.long], 1, mulawEncode);
      const first = eps[0].play('long');
      // The second starts later, so the two read different parts of the shared encoding.
      await peers[0].waitFor(() => peers[0].packets.length >= 10, 5000, 'first stream under way');
      const second = eps[1].play('long');
      await Promise.all([first, second]);
      for (const peer of peers) {
        await peer.waitFor(() => peer.packets.length >= want.length, 5000, `${want.length} packets`);
        expect(peer.packets.map((p) => p.payload.toString('hex'))).toEqual(want.map((b) => b.toString('hex')));
      }
    } finally {
      await Promise.all(eps.map((e) => e.destroy()));
      for (const p of peers) p.close();
    }
  });

  it('encodes lazily: only the samples asked for, never past the end of the clip', () => {
    const clip = noise(20_000, 4);
    const table = new Uint8Array(65536).map((_, i) => (i >> 8) + 1); // never 0
    const e = new EncodedClip(clip, table);
    e.ensure(100);
    expect(e.bytes[99]).toBe(table[clip[99] + 32768]);
    expect(e.bytes[8000]).toBe(0); // the next block is not encoded yet
    e.ensure(1_000_000);
    expect(e.bytes.every((b, i) => b === table[clip[i] + 32768])).toBe(true);
  });
});
