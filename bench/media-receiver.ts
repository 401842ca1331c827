/**
 * The loopback receiver of the media benchmark, run as a child process so
 * that its work does not count against the engine: receives every stream on
 * one UDP socket and measures, per SSRC, the interval between packets.
 */
import dgram from 'node:dgram';

const BIN_MS = 0.01;
const BINS = 10_000; // deviations up to 100 ms

interface Stream {
  last: number;
  lastSeq: number;
  packets: number;
  lost: number;
}

const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 16 * 1024 * 1024 });
const streams = new Map<number, Stream>();
let hist = new Uint32Array(BINS);
let intervals = 0;
let maxDev = 0;
let measuring = false;

socket.on('message', (msg) => {
  const now = performance.now();
  // RTCP (multiplexed, RFC 5761) is not part of the measure.
  if (msg.length < 12 || (msg[1] >= 192 && msg[1] <= 223)) return;
  const ssrc = msg.readUInt32BE(8);
  const seq = msg.readUInt16BE(2);
  let s = streams.get(ssrc);
  if (!s) {
    s = { last: now, lastSeq: seq, packets: 0, lost: 0 };
    streams.set(ssrc, s);
    return;
  }
  if (measuring) {
    const dev = Math.abs(now - s.last - 20);
    hist[Math.min(BINS - 1, Math.floor(dev / BIN_MS))]++;
    intervals++;
    if (dev > maxDev) maxDev = dev;
    s.packets++;
    const gap = (seq - s.lastSeq) & 0xffff;
    if (gap > 1 && gap < 1000) s.lost += gap - 1;
  }
  s.last = now;
  s.lastSeq = seq;
});

function percentile(p: number): number {
  const target = Math.ceil(intervals * p);
  let acc = 0;
  for (let i = 0; i < BINS; i++) {
    acc += hist[i];
    if (acc >= target) return (i + 0.5) * BIN_MS;
  }
  return BINS * BIN_MS;
}

process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'start') {
    streams.clear();
    hist = new Uint32Array(BINS);
    intervals = 0;
    maxDev = 0;
    for (const s of streams.values()) {
      s.packets = 0;
      s.lost = 0;
    }
    measuring = true;
  } else if (m.cmd === 'stop') {
    measuring = false;
    let lost = 0;
    let packets = 0;
    for (const s of streams.values()) {
      lost += s.lost;
      packets += s.packets;
    }
    process.send?.({
      streams: streams.size,
      packets,
      lost,
      intervals,
      deviationMs: { p50: percentile(0.5), p99: percentile(0.99), p999: percentile(0.999), max: maxDev },
    });
    streams.clear();
  } else if (m.cmd === 'exit') {
    socket.close();
    process.exit(0);
  }
});

socket.bind(0, '127.0.0.1', () => process.send?.({ port: socket.address().port }));
