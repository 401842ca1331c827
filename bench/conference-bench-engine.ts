/**
 * The engine side of bench/conference-bench.ts: an embedded media server
 * whose endpoints (one per participant, PCMU) sit in conference rooms.
 * It times every RTP packet it hands to a socket (the deviation of each
 * socket's send intervals from 20 ms) and its own CPU while measuring.
 */
import dgram from 'node:dgram';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedMediaServer } from '../media/embedded/embedded-media-server.js';
import type { Endpoint, MediaConference } from '../media/types.js';
import { Histogram } from './conference-bench-histogram.js';

export type EngineRequest = { kind: 'setup'; roomSize: number; ports: number[]; bridge: boolean } | { kind: 'measure' } | { kind: 'report' } | { kind: 'exit' };

export interface EngineReport {
  cpuMs: number;
  wallMs: number;
  send: { p50: number; p99: number; max: number; packets: number };
  clock: { skipped: number; maxLateMs: number; maxTickMs: number };
  rssMb: number;
}

const sends = new Histogram();
let measuring = false;
const lastSend = new WeakMap<dgram.Socket, number>();
const originalSend = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function (this: dgram.Socket, ...args: unknown[]) {
  const msg = args[0];
  // RTP only (RTCP packet types are 192-223 in the second byte).
  if (measuring && Buffer.isBuffer(msg) && !(msg[1]! >= 192 && msg[1]! <= 223)) {
    const now = performance.now();
    const last = lastSend.get(this);
    if (last !== undefined) sends.add(Math.abs(now - last - 20));
    lastSend.set(this, now);
  }
  return (originalSend as (...a: unknown[]) => void).apply(this, args);
} as typeof dgram.Socket.prototype.send;

/** A phone's offer: PCMU and telephone-event (so, as with most phones, no in-band DTMF detection runs). */
function offer(port: number): string {
  return ['v=0', 'o=bench 1 1 IN IP4 127.0.0.1', 's=bench', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=sendrecv', ''].join('\r\n');
}

const server = new EmbeddedMediaServer({
  rtpPortMin: 0,
  rtpPortMax: 0,
  bindAddress: '127.0.0.1',
  advertisedAddress: '127.0.0.1',
  cacheDir: await mkdtemp(join(tmpdir(), 'dialtone-conference-bench-')),
});
const endpoints: Endpoint[] = [];
const rooms: MediaConference[] = [];
let cpu0 = process.cpuUsage();
let wall0 = performance.now();
let clock0 = { ...server.clock.stats };

process.on('message', async (m: EngineRequest) => {
  if (m.kind === 'setup') {
    for (let i = 0; i < m.ports.length; i++) {
      const ep = await server.createEndpoint({ remoteSdp: offer(m.ports[i] as number) });
      endpoints.push(ep);
      // The baseline: the same endpoints bridged two by two, as <Dial> does, with no room.
      if (m.bridge) {
        if (i % 2 === 1) await ep.bridge(endpoints[i - 1] as Endpoint);
        continue;
      }
      if (i % m.roomSize === 0) rooms.push(await server.createConference({ name: `room-${rooms.length}` }));
      await (rooms.at(-1) as MediaConference).join(ep);
    }
    const ports = endpoints.map((e) => Number(/^m=audio (\d+)/m.exec(e.localSdp)?.[1]));
    process.send?.({ ports });
  } else if (m.kind === 'measure') {
    (globalThis as { gc?: () => void }).gc?.();
    measuring = true;
    cpu0 = process.cpuUsage();
    wall0 = performance.now();
    clock0 = { ...server.clock.stats };
    process.send?.({ ok: true });
  } else if (m.kind === 'report') {
    measuring = false;
    const cpu = process.cpuUsage(cpu0);
    const s = server.clock.stats;
    const report: EngineReport = {
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: performance.now() - wall0,
      send: { p50: round(sends.percentile(0.5)), p99: round(sends.percentile(0.99)), max: round(sends.max), packets: sends.n },
      clock: { skipped: s.skipped - clock0.skipped, maxLateMs: round(s.maxLateMs), maxTickMs: round(s.maxTickMs) },
      rssMb: Math.round(process.memoryUsage().rss / 1e6),
    };
    process.send?.(report);
  } else {
    await Promise.all(rooms.map((r) => r.destroy()));
    await server.close();
    process.exit(0);
  }
});

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
