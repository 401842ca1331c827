/**
 * Call recordings on the embedded engine (Endpoint.recordCall): both
 * tracks in step, one channel or two, pauses that skip or write silence,
 * and a <Record> on the same endpoint running beside one.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulawEncode } from '../../media/embedded/audio/g711.js';
import { decodeWav, encodeWav } from '../../media/embedded/audio/wav.js';
import { generateTone } from '../../media/embedded/dsp/tone.js';
import { dominantFrequency, rmsDbfs } from '../../media/embedded/dsp/silence.js';
import { RtpPeer, sdpAudioPort } from './helpers/rtp-peer.js';
import { startServer, type TestServer } from './helpers/server.js';
import { between, channelsOf } from '../support/wav-samples.js';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(() => t.close());

function frames(pcm: Int16Array): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i + 160 <= pcm.length; i += 160) out.push(mulawEncode(pcm.subarray(i, i + 160)));
  return out;
}

/** When the first loud 10 ms of a track starts, in ms. */
function onsetMs(samples: Int16Array): number {
  for (let i = 0; i + 80 <= samples.length; i += 80) if (rmsDbfs(samples.subarray(i, i + 80)) > -30) return i / 8;
  return Number.NaN;
}

async function endpointWithPeer(): Promise<{ peer: RtpPeer; ep: Awaited<ReturnType<TestServer['server']['createEndpoint']>>; port: number }> {
  const peer = await RtpPeer.open();
  const ep = await t.server.createEndpoint({ remoteSdp: peer.offer({ codecs: ['0 PCMU/8000'] }) });
  return { peer, ep, port: sdpAudioPort(ep.localSdp) };
}

describe('recordCall', () => {
  it('two channels: the peer (1 kHz) on the first, the prompt the endpoint plays (500 Hz) on the second, in step', async () => {
    const { peer, ep, port } = await endpointWithPeer();
    const prompt = join(t.dir, 'prompt-500.wav');
    await writeFile(prompt, encodeWav(generateTone([500], 1500, 0.5)));
    const path = join(t.dir, 'dual.wav');
    const rec = await ep.recordCall({ path, track: 'both', channels: 2 });
    await Promise.all([ep.play(prompt), peer.stream(port, 0, frames(generateTone([1000], 1500, 0.5)))]);
    const outcome = await rec.stop();
    expect(outcome.channels).toBe(2);
    expect(outcome.durationMs).toBeGreaterThan(1400);
    expect(outcome.durationMs).toBeLessThan(1900);
    const [inbound, outbound] = channelsOf(await readFile(path));
    // Both began at once: their onsets in the file are within a few frames of each other.
    expect(Math.abs(onsetMs(inbound!) - onsetMs(outbound!))).toBeLessThan(60);
    expect(Math.abs(dominantFrequency(between(inbound!, 300, 1200), 8000) - 1000)).toBeLessThan(15);
    expect(Math.abs(dominantFrequency(between(outbound!, 300, 1200), 8000) - 500)).toBeLessThan(15);
    await ep.destroy();
    peer.close();
  });

  it('one channel holds both tracks mixed; a single track holds only its own', async () => {
    const { peer, ep, port } = await endpointWithPeer();
    const prompt = join(t.dir, 'prompt-600.wav');
    await writeFile(prompt, encodeWav(generateTone([600], 1000, 0.3)));
    const mixed = await ep.recordCall({ path: join(t.dir, 'mixed.wav'), track: 'both', channels: 1 });
    const onlyOut = await ep.recordCall({ path: join(t.dir, 'out.wav'), track: 'outbound', channels: 2 });
    await Promise.all([ep.play(prompt), peer.stream(port, 0, frames(generateTone([1400], 1000, 0.3)))]);
    const [m, o] = await Promise.all([mixed.stop(), onlyOut.stop()]);
    expect(m.channels).toBe(1);
    expect(o.channels).toBe(1);
    const mix = between(decodeWav(await readFile(m.path)), 200, 800);
    const out = between(decodeWav(await readFile(o.path)), 200, 800);
    // The mix has both tones: taking out the outbound one leaves the 1.4 kHz peer.
    const rest = mix.map((s, i) => s - out[i]!);
    expect(Math.abs(dominantFrequency(out, 8000) - 600)).toBeLessThan(15);
    expect(Math.abs(dominantFrequency(rest, 8000) - 1400)).toBeLessThan(15);
    await ep.destroy();
    peer.close();
  });

  it('a pause that skips leaves its time out of the file; a pause with silence keeps it, silent', async () => {
    const { peer, ep, port } = await endpointWithPeer();
    const skip = await ep.recordCall({ path: join(t.dir, 'skip.wav'), track: 'inbound', channels: 1 });
    const silence = await ep.recordCall({ path: join(t.dir, 'silence.wav'), track: 'inbound', channels: 1 });
    // The times are measured, not assumed: a loaded machine stretches every sleep.
    const start = performance.now();
    const sending = peer.stream(port, 0, frames(generateTone([800], 3000, 0.5)));
    await sleep(1000);
    const pausedAt = performance.now() - start;
    await Promise.all([skip.pause('skip'), silence.pause('silence')]);
    expect(skip.paused).toBe(true);
    await sleep(1000);
    const resumedAt = performance.now() - start;
    await Promise.all([skip.resume(), silence.resume()]);
    await sending;
    const stoppedAt = performance.now() - start;
    const [s, q] = await Promise.all([skip.stop(), silence.stop()]);
    expect(Math.abs(s.durationMs - (stoppedAt - (resumedAt - pausedAt)))).toBeLessThan(250);
    expect(Math.abs(q.durationMs - stoppedAt)).toBeLessThan(250);
    const skipped = decodeWav(await readFile(s.path));
    const silenced = decodeWav(await readFile(q.path));
    // Tone all through the skipping one (around where the pause was); silence for the pause in the other.
    expect(rmsDbfs(between(skipped, pausedAt - 100, pausedAt + 100))).toBeGreaterThan(-15);
    expect(rmsDbfs(between(silenced, pausedAt + 100, resumedAt - 100))).toBeLessThan(-80);
    expect(rmsDbfs(between(silenced, resumedAt + 150, resumedAt + 500))).toBeGreaterThan(-15);
    await ep.destroy();
    peer.close();
  });

  it('runs beside a <Record> on the same endpoint, and a hangup ends it with what it has', async () => {
    const { peer, ep, port } = await endpointWithPeer();
    const call = await ep.recordCall({ path: join(t.dir, 'beside.wav'), track: 'inbound', channels: 1 });
    const sending = peer.stream(port, 0, frames(generateTone([900], 1500, 0.5)));
    const verb = await ep.record({ path: join(t.dir, 'verb.wav'), maxLengthMs: 500 });
    expect(verb.reason).toBe('max-length');
    await sending;
    await ep.destroy();
    const outcome = await call.stop();
    expect(outcome.reason).toBe('hangup');
    expect(outcome.durationMs).toBeGreaterThan(1300);
    expect(Math.abs(dominantFrequency(between(decodeWav(await readFile(outcome.path)), 700, 1300), 8000) - 900)).toBeLessThan(15);
    peer.close();
  });

  it('trim leaves out the silence before and after the sound', async () => {
    const { peer, ep, port } = await endpointWithPeer();
    const rec = await ep.recordCall({ path: join(t.dir, 'trim.wav'), track: 'both', channels: 2, trim: true });
    await sleep(600);
    await peer.stream(port, 0, frames(generateTone([1000], 800, 0.5)));
    await sleep(600);
    const outcome = await rec.stop();
    expect(outcome.durationMs).toBeGreaterThan(700);
    expect(outcome.durationMs).toBeLessThan(1000);
    await ep.destroy();
    peer.close();
  });
});
