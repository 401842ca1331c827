import { buildRR, parseRTCPCompound } from 'rtp-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaClock } from '../../media/embedded/clock.js';
import { PortAllocator } from '../../media/embedded/rtp/port-allocator.js';
import { MediaError } from '../../media/errors.js';
import { RtpPeer, sdpAudioPort } from './helpers/rtp-peer.js';
import { startServer, type TestServer } from './helpers/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(() => t.close());

describe('port range', () => {
  it('hands out even RTP ports with RTCP on the next port, and says so when the range is used up', async () => {
    // Find a free stretch by trying a few random bases: other tests may be binding ports too.
    for (let attempt = 0; attempt < 20; attempt++) {
      const base = 20000 + 2 * Math.floor(Math.random() * 10000);
      const alloc = new PortAllocator(base, base + 3, '127.0.0.1');
      const a = await alloc.allocate().catch(() => undefined);
      const b = a && (await alloc.allocate().catch(() => undefined));
      if (!a || !b) {
        a?.rtp.close();
        a?.rtcp.close();
        continue;
      }
      expect([a.rtpPort, b.rtpPort].sort()).toEqual([base, base + 2]);
      expect(a.rtcpPort).toBe(a.rtpPort + 1);
      const err = await alloc.allocate().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MediaError);
      expect((err as MediaError).code).toBe('no-ports');
      for (const p of [a, b]) {
        p.rtp.close();
        p.rtcp.close();
      }
      return;
    }
    throw new Error('no free port stretch found');
  });
});

describe('media clock', () => {
  it('ticks on absolute 20 ms deadlines and reports dropped ticks after a long stall', async () => {
    const clock = new MediaClock();
    const at: number[] = [];
    const skips: number[] = [];
    let stalled = false;
    await new Promise<void>((resolve) => {
      clock.add({
        onTick(skipped) {
          at.push(performance.now());
          if (skipped) skips.push(skipped);
          if (at.length === 10 && !stalled) {
            stalled = true;
            const until = performance.now() + 150; // block the event loop: time passing is the test
            while (performance.now() < until);
          }
          if (at.length >= 40) {
            clock.remove(this);
            resolve();
          }
        },
      });
    });
    // 40 ticks plus the dropped ones span (40 + skipped - 1) periods.
    const skipped = skips.reduce((a, b) => a + b, 0);
    expect(skipped).toBeGreaterThanOrEqual(3);
    const span = at[at.length - 1] - at[0];
    expect(Math.abs(span - (39 + skipped) * 20)).toBeLessThan(20);
    expect(clock.stats.skipped).toBe(skipped);
  });

  it('spreads listeners over phases of the period, each ticking every 20 ms', async () => {
    const clock = new MediaClock({ phases: 4 });
    const times: number[][] = Array.from({ length: 8 }, () => []);
    await new Promise<void>((resolve) => {
      let done = 0;
      times.forEach((at) => {
        clock.add({
          onTick() {
            at.push(performance.now());
            if (at.length === 25) {
              clock.remove(this);
              if (++done === times.length) resolve();
            }
          },
        });
      });
    });
    // Each listener: 24 intervals of one period, on absolute deadlines (a late tick is caught up).
    for (const at of times) expect(Math.abs(at[24] - at[0] - 24 * 20)).toBeLessThan(20);
    // Two listeners per phase; the four phases are 5 ms apart within a period
    // (the median offset from listener 0 over all ticks, so one late tick does not count).
    const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const offsets = times.map((at) => median(at.map((t, k) => (((t - times[0][k]) % 20) + 20) % 20)));
    const phases = new Set(offsets.map((o) => Math.round(o / 5) % 4));
    expect(phases.size).toBe(4);
    expect(clock.stats.ticks).toBeGreaterThanOrEqual(4 * 24);
  });

  it('moves an idle listener to the phase that ticks next, so its first tick comes within one phase', async () => {
    const clock = new MediaClock({ phases: 4 });
    const others = [1, 2, 3].map(() => ({ onTick() {} }));
    const waits: number[] = [];
    await new Promise<void>((resolve) => {
      let hurriedAt = 0;
      const subject = {
        ticks: 0,
        onTick() {
          const now = performance.now();
          if (hurriedAt) {
            waits.push(now - hurriedAt);
            hurriedAt = 0;
          }
          if (++this.ticks === 30) {
            clock.remove(this);
            resolve();
            return;
          }
          // Just after its own tick, the listener's next one is a whole period away; hurry it.
          if (this.ticks % 3 === 0) {
            setTimeout(() => {
              hurriedAt = performance.now();
              clock.hurry(subject);
            }, 1);
          }
        },
      };
      clock.add(subject);
      others.forEach((o) => clock.add(o));
    });
    others.forEach((o) => clock.remove(o));
    expect(waits.length).toBeGreaterThanOrEqual(5);
    // Without hurry each wait would be about 19 ms; with it, one 5 ms phase at most (plus timer slack).
    const sorted = [...waits].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(8);
  });

  it('keeps its schedule when a listener adds, hurries or removes listeners from inside a tick', async () => {
    const clock = new MediaClock({ phases: 4 });
    const at: number[] = [];
    const joiner = { onTick() {} };
    await new Promise<void>((resolve) => {
      clock.add({
        onTick() {
          at.push(performance.now());
          // A stream starting, and another being hurried, in the middle of a tick.
          if (at.length === 5) clock.add(joiner);
          if (at.length === 6) clock.hurry(joiner);
          if (at.length === 8) clock.remove(joiner);
          if (at.length === 20) {
            clock.remove(this);
            resolve();
          }
        },
      });
    });
    // Each tick one period after the one before: not restarted, not stalled.
    const gaps = at.slice(1).map((t, i) => t - at[i]);
    expect(Math.max(...gaps)).toBeLessThan(35);
    expect(Math.abs(at[19] - at[0] - 19 * 20)).toBeLessThan(20);
    // The clock stopped with its last listener: nothing left waking it up.
    const ticks = clock.stats.ticks;
    await new Promise((r) => setTimeout(r, 60));
    expect(clock.stats.ticks).toBe(ticks);
    expect(clock.size).toBe(0);
  });
});

describe('RTCP', () => {
  it('sends a compound report with SDES and BYE to the RTCP port when the endpoint goes away', async () => {
    const peer = await RtpPeer.open();
    const ep = await t.server.createEndpoint({ remoteSdp: peer.offer() });
    await ep.playDigits('1');
    await ep.destroy();
    await peer.waitFor(() => peer.rtcp.length > 0, 2000, 'RTCP');
    const types = parseRTCPCompound(peer.rtcp[0]).map((p) => p.type);
    expect(types).toEqual([200, 202, 203]); // SR (we sent), SDES, BYE
    const sr = parseRTCPCompound(peer.rtcp[0])[0];
    expect(sr.packetCount).toBe(8);
    expect(sr.ssrc).toBe(peer.packets[0].ssrc);
    expect(sdpAudioPort(ep.localSdp)).toBeGreaterThan(0);
    peer.close();
  });

  it('counts packets, bytes and loss both ways, and reads the peer\'s receiver report', async () => {
    const peer = await RtpPeer.open();
    const ep = await t.server.createEndpoint({ remoteSdp: peer.offer() });
    const port = sdpAudioPort(ep.localSdp);
    // 20 packets of 160 bytes with sequence numbers 100..121 except 105 and 110: 2 lost.
    let sent = 0;
    for (let seq = 100; seq <= 121; seq++) {
      if (seq === 105 || seq === 110) continue;
      peer.send(port, 0, Buffer.alloc(160, 0xff), { seq, ts: seq * 160 });
      sent++;
    }
    const rtcpPort = Number(/^a=rtcp:(\d+)/m.exec(ep.localSdp)?.[1]);
    await ep.playDigits('9');
    await peer.waitFor(() => peer.packets.length >= 8, 2000, 'our packets');
    const rr = buildRR({
      ssrc: peer.ssrc,
      mediaSsrc: peer.packets[0].ssrc,
      fractionLost: 64,
      totalLost: 3,
      highestSeq: 1,
      jitter: 80,
      lastSR: 0,
      delaySinceLastSR: 0,
    });
    peer.rtcpSocket.send(rr, rtcpPort, '127.0.0.1');
    const deadline = Date.now() + 2000;
    while (!ep.stats().remote && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    const s = ep.stats();
    expect(s.received.packets).toBe(sent);
    expect(s.received.bytes).toBe(sent * 160);
    expect(s.received.lost).toBe(2);
    expect(s.sent.packets).toBe(8);
    expect(s.sent.bytes).toBe(32);
    expect(s.remote).toMatchObject({ fractionLost: 0.25, totalLost: 3, jitterMs: 10 });
    await ep.destroy();
    peer.close();
  });
});
