import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type OpusScriptType from 'opusscript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulawDecode } from '../../media/embedded/audio/g711.js';
import { encodeWav } from '../../media/embedded/audio/wav.js';
import { dominantFrequency } from '../../media/embedded/dsp/silence.js';
import { generateTone } from '../../media/embedded/dsp/tone.js';
import { RtpPeer, sdpAudioPort } from './helpers/rtp-peer.js';
import { startServer, type TestServer } from './helpers/server.js';

const OpusScript = createRequire(import.meta.url)('opusscript') as typeof OpusScriptType;

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(() => t.close());

function pcmOf(buf: Buffer): Int16Array {
  const out = new Int16Array(buf.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = buf.readInt16LE(i * 2);
  return out;
}

describe('Opus', () => {
  it('plays to an Opus peer (48 kHz RTP clock) and bridges Opus to PCMU', async () => {
    const peer = await RtpPeer.open();
    const ep = await t.server.createEndpoint({ remoteSdp: peer.offer({ codecs: ['111 opus/48000/2'] }) });
    expect(ep.stats().codec).toBe('opus');
    const wav = join(t.dir, 'tone.wav');
    await writeFile(wav, encodeWav(generateTone([440], 600, 0.5)));
    await ep.play(wav);
    await peer.waitFor(() => peer.packets.length >= 30, 2000, 'opus packets');
    const p = peer.packets;
    expect(p.every((x) => x.pt === 111)).toBe(true);
    for (let i = 1; i < p.length; i++) expect((p[i].ts - p[i - 1].ts) >>> 0).toBe(960);
    const dec = new OpusScript(8000, 1);
    const heard = p.flatMap((x) => [...pcmOf(dec.decode(x.payload))]);
    expect(Math.abs(dominantFrequency(Int16Array.from(heard), 8000) - 440)).toBeLessThan(10);

    // Opus in, PCMU out through a bridge.
    const other = await RtpPeer.open();
    const pcmu = await t.server.createEndpoint({ remoteSdp: other.offer({ codecs: ['0 PCMU/8000'] }) });
    await ep.bridge(pcmu);
    const enc = new OpusScript(8000, 1, OpusScript.Application.VOIP);
    const tone = generateTone([1000], 800, 0.5);
    const payloads: Buffer[] = [];
    for (let i = 0; i + 160 <= tone.length; i += 160) {
      payloads.push(Buffer.from(enc.encode(Buffer.from(tone.slice(i, i + 160).buffer), 160)));
    }
    await peer.stream(sdpAudioPort(ep.localSdp), 111, payloads);
    await other.waitFor(() => other.packets.length >= 30, 2000, 'transcoded audio');
    const out = mulawDecode(Buffer.concat(other.packets.map((x) => x.payload)));
    expect(Math.abs(dominantFrequency(out, 8000) - 1000)).toBeLessThan(15);
    await Promise.all([ep.destroy(), pcmu.destroy()]);
    peer.close();
    other.close();
  });
});
