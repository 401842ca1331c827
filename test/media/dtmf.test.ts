import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulawEncode } from '../../media/embedded/audio/g711.js';
import { dtmfTone } from '../../media/embedded/dsp/tone.js';
import type { DtmfEvent, Endpoint } from '../../media/types.js';
import { RtpPeer, sdpAudioPort } from './helpers/rtp-peer.js';
import { startServer, type TestServer } from './helpers/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(() => t.close());

/** RFC 4733 test-side sender: start with marker, updates every 20 ms, three end packets. */
async function sendEvent(peer: RtpPeer, port: number, digitCode: number, updates: number, ends = 3): Promise<void> {
  const ts = peer.advanceTs(800);
  for (let i = 0; i <= updates; i++) {
    const p = Buffer.from([digitCode, 10, 0, 0]);
    p.writeUInt16BE(i * 160, 2);
    peer.send(port, 101, p, { marker: i === 0, ts });
    await new Promise((r) => setTimeout(r, 20)); // pacing the sender, not waiting for a result
  }
  for (let i = 0; i < ends; i++) {
    const p = Buffer.from([digitCode, 0x80 | 10, 0, 0]);
    p.writeUInt16BE((updates + 1) * 160, 2);
    peer.send(port, 101, p, { ts });
  }
}

function collect(ep: Endpoint): DtmfEvent[] {
  const got: DtmfEvent[] = [];
  ep.on('dtmf', (e) => got.push(e));
  return got;
}

/** RTP payloads of a pcap file (Ethernet/IPv4/UDP), with their marker bits and timestamps. */
function pcapRtp(path: string): { payload: Buffer; marker: boolean; ts: number }[] {
  const d = readFileSync(path);
  const out: { payload: Buffer; marker: boolean; ts: number }[] = [];
  let off = 24;
  while (off + 16 <= d.length) {
    const incl = d.readUInt32LE(off + 8);
    const frame = d.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    const ihl = (frame[14] & 0x0f) * 4;
    const rtp = frame.subarray(14 + ihl + 8);
    out.push({ payload: Buffer.from(rtp.subarray(12)), marker: (rtp[1] & 0x80) !== 0, ts: rtp.readUInt32BE(4) });
  }
  return out;
}

describe('DTMF', () => {
  it('detects RFC 4733 events exactly once each, end retransmissions and lost ends included', async () => {
    const peer = await RtpPeer.open();
    const ep = await t.server.createEndpoint({ remoteSdp: peer.offer() });
    const port = sdpAudioPort(ep.localSdp);
    const got = collect(ep);
    await sendEvent(peer, port, 1, 4); // '1'
    await sendEvent(peer, port, 11, 3); // '#'
    await sendEvent(peer, port, 5, 3, 0); // '5' whose end packets were all lost
    await sendEvent(peer, port, 5, 2); // '5' again: a new event
    await sendEvent(peer, port, 10, 2); // '*'
    const outcome = await ep.collectDigits({ maxDigits: 5, timeoutMs: 2000 });
    expect(outcome).toEqual({ reason: 'finished', digits: '1#55*' });
    expect(got).toEqual([
      { digit: '1', source: 'rfc4733' },
      { digit: '#', source: 'rfc4733' },
      { digit: '5', source: 'rfc4733' },
      { digit: '5', source: 'rfc4733' },
      { digit: '*', source: 'rfc4733' },
    ]);
    await ep.destroy();
    peer.close();
  });

  it("detects the digits of SIPp's dtmf_2833 pcap files", async () => {
    const peer = await RtpPeer.open();
    const ep = await t.server.createEndpoint({ remoteSdp: peer.offer() });
    const port = sdpAudioPort(ep.localSdp);
    const names = ['1', '9', 'pound', 'star', '0'];
    for (const name of names) {
      // Each file's events keep their own timestamps; shift them so every file is a new event.
      const base = peer.advanceTs(8000);
      for (const p of pcapRtp(`/usr/share/sip-tester/dtmf_2833_${name}.pcap`)) {
        peer.send(port, 101, p.payload, { marker: p.marker, ts: (base + p.ts) >>> 0 });
      }
    }
    const outcome = await ep.collectDigits({ maxDigits: 5, timeoutMs: 2000 });
    expect(outcome.digits).toBe('19#*0');
    // Nothing more arrives: no digit was reported twice.
    const more = await ep.collectDigits({ maxDigits: 1, timeoutMs: 300 });
    expect(more).toEqual({ reason: 'timeout', digits: '' });
    await ep.destroy();
    peer.close();
  });

  it('detects in-band DTMF tones when the peer has no telephone-event', async () => {
    const peer = await RtpPeer.open();
    const ep = await t.server.createEndpoint({ remoteSdp: peer.offer({ telephoneEvent: false }) });
    const port = sdpAudioPort(ep.localSdp);
    const got = collect(ep);
    const audio: Int16Array[] = [];
    for (const d of '73#') audio.push(dtmfTone(d, 100), new Int16Array(800));
    const all = new Int16Array(audio.reduce((n, a) => n + a.length, 0) + 160);
    let o = 0;
    for (const a of audio) {
      all.set(a, o);
      o += a.length;
    }
    const payloads: Buffer[] = [];
    for (let i = 0; i + 160 <= all.length; i += 160) payloads.push(mulawEncode(all.subarray(i, i + 160)));
    await peer.stream(port, 0, payloads);
    const outcome = await ep.collectDigits({ maxDigits: 3, timeoutMs: 2000 });
    expect(outcome.digits).toBe('73#');
    expect(got.every((e) => e.source === 'inband')).toBe(true);
    await ep.destroy();
    peer.close();
  });

  it('sends digits as RFC 4733: marker on start, duration updates, three end packets, one timestamp per event', async () => {
    const peer = await RtpPeer.open();
    const ep = await t.server.createEndpoint({ remoteSdp: peer.offer() });
    const outcome = await ep.playDigits('4w2', { durationMs: 100 });
    expect(outcome).toEqual({ reason: 'finished', sent: '42' });
    await peer.waitFor(() => peer.packets.filter((p) => p.pt === 101).length >= 16, 2000, 'events');
    const ev = peer.packets.filter((p) => p.pt === 101);
    const byTs = new Map<number, typeof ev>();
    for (const p of ev) byTs.set(p.ts, [...(byTs.get(p.ts) ?? []), p]);
    expect([...byTs.values()].map((ps) => ps[0].payload[0])).toEqual([4, 2]);
    for (const ps of byTs.values()) {
      expect(ps.length).toBe(8); // 5 packets while the tone lasts, 3 end packets
      expect(ps[0].marker).toBe(true);
      expect(ps.slice(1).some((p) => p.marker)).toBe(false);
      expect(ps.slice(5).every((p) => (p.payload[1] & 0x80) !== 0)).toBe(true);
      expect(ps.slice(0, 5).every((p) => (p.payload[1] & 0x80) === 0)).toBe(true);
      expect(ps.map((p) => p.payload.readUInt16BE(2))).toEqual([160, 320, 480, 640, 800, 800, 800, 800]);
    }
    // 'w' paused 500 ms between the two events (plus the 100 ms gap after the first digit).
    const [a, b] = [...byTs.values()];
    expect(b[0].at - a[a.length - 1].at).toBeGreaterThan(550);
    await ep.destroy();
    peer.close();
  });

  it('keeps a digit that barged in on a prompt for the digit collection that follows', async () => {
    const peer = await RtpPeer.open();
    const ep = await t.server.createEndpoint({ remoteSdp: peer.offer() });
    const port = sdpAudioPort(ep.localSdp);
    const prompt = t.dir + '/long.wav';
    const { encodeWav } = await import('../../media/embedded/audio/wav.js');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(prompt, encodeWav(new Int16Array(8000 * 5).fill(1000)));
    const playing = ep.play(prompt, { bargeIn: true });
    await peer.waitFor(() => peer.packets.length >= 5, 2000, 'prompt audio');
    const sending = sendEvent(peer, port, 3, 2);
    const played = await playing;
    await sending;
    expect(played.reason).toBe('digit');
    expect(played.digit).toBe('3');
    expect(played.playedMs).toBeLessThan(2000);
    const [c] = await Promise.all([
      ep.collectDigits({ finishOnKey: '#', timeoutMs: 2000 }),
      sendEvent(peer, port, 11, 2),
    ]);
    expect(c).toEqual({ reason: 'digit', digits: '3', terminator: '#' });
    await ep.destroy();
    peer.close();
  });
});
