/**
 * Media engine benchmark: N endpoints each playing a prompt to a loopback
 * receiver (a separate process), for N = 100, 500, 1000. Measures the
 * engine's CPU use, memory per endpoint, and the distribution of the
 * deviation of packet intervals from 20 ms as the receiver sees them.
 * Writes bench/results/media.json.
 *
 *   npm run bench:media [-- --sizes 100,500,1000 --seconds 10 --receiver kernel|node
 *                            --drain-ms 1 --phases 4 --spin-ms 0.3 --timer-slop-ms 0.5]
 *
 * Each size runs in a fresh process (memory per endpoint is then its own);
 * BENCH_NODE_FLAGS adds node flags to those processes (e.g. --trace-gc).
 * Arrivals are timed by the kernel by default (a small C receiver, built
 * with cc): on loopback that is the moment of the engine's send call.
 */
import { engineNodeFlags } from './engine-node-flags.js';
import { execFileSync, fork, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { setMaxListeners } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { generateTone } from '../media/embedded/dsp/tone.js';
import { MediaClock, type MediaClockOptions } from '../media/embedded/clock.js';
import { EmbeddedMediaServer, MEDIA_CLOCK_PHASES } from '../media/embedded/embedded-media-server.js';
import type { Endpoint } from '../media/types.js';

/**
 * Sender-side measure: the time each RTP packet is handed to its socket,
 * per socket, as a histogram of the deviation of intervals from 20 ms.
 */
const BIN_MS = 0.01;
const BINS = 10_000;
const sendHist = { on: false, bins: new Uint32Array(BINS), n: 0, max: 0 };
let lastSend = new WeakMap<dgram.Socket, number>();
const originalSend = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function (this: dgram.Socket, ...args: unknown[]) {
  const msg = args[0];
  if (sendHist.on && Buffer.isBuffer(msg) && !(msg[1] >= 192 && msg[1] <= 223)) {
    const now = performance.now();
    const last = lastSend.get(this);
    if (last !== undefined) {
      const dev = Math.abs(now - last - 20);
      sendHist.bins[Math.min(BINS - 1, Math.floor(dev / BIN_MS))]++;
      sendHist.n++;
      if (dev > sendHist.max) sendHist.max = dev;
    }
    lastSend.set(this, now);
  }
  return (originalSend as (...a: unknown[]) => void).apply(this, args);
} as typeof dgram.Socket.prototype.send;

function sendPercentile(p: number): number {
  const target = Math.ceil(sendHist.n * p);
  let acc = 0;
  for (let i = 0; i < BINS; i++) {
    acc += sendHist.bins[i];
    if (acc >= target) return (i + 0.5) * BIN_MS;
  }
  return BINS * BIN_MS;
}

const here = dirname(fileURLToPath(import.meta.url));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const sizes = arg('sizes', '100,500,1000').split(',').map(Number);
const seconds = Number(arg('seconds', '10'));
const codec = arg('codec', 'PCMU');
/**
 * kernel (the default when a C compiler is there): kernel-timestamp-receiver.c,
 * arrivals timed by the kernel; node: media-receiver.ts times them itself.
 */
const receiverKind = arg('receiver', hasCompiler() ? 'kernel' : 'node');
/**
 * Kernel receiver: N > 0 (default 1) drains every N ms, so that, as with a
 * peer across a network, the engine's sends do not pay for waking the
 * receiver; 0 waits on the socket.
 */
const drainMs = Number(arg('drain-ms', '1'));

function hasCompiler(): boolean {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
/** Phases of the media clock; 0 keeps the server's default. */
const phases = Number(arg('phases', '0'));
/** The clock's waiting options (see MediaClockOptions); a negative value keeps the default. */
const clockTiming = {
  spinMs: Number(arg('spin-ms', '-1')),
  timerSlopMs: Number(arg('timer-slop-ms', '-1')),
};
const timingGiven: MediaClockOptions = Object.fromEntries(Object.entries(clockTiming).filter(([, v]) => v >= 0));

/** A media clock with the options given on the command line, the server's defaults for the others. */
function benchClock(): MediaClock {
  return new MediaClock({ phases: phases > 0 ? phases : MEDIA_CLOCK_PHASES, ...timingGiven });
}

interface ReceiverReport {
  streams: number;
  packets: number;
  lost: number;
  intervals: number;
  deviationMs: { p50: number; p99: number; p999: number; max: number };
  /** Kernel receiver only: the same, timed when recvmmsg() returned (what user space can see at best). */
  userDeviationMs?: { p50: number; p99: number; p999: number; max: number };
}

interface Receiver {
  port: number;
  ask: (cmd: string) => Promise<ReceiverReport>;
  tell: (cmd: string) => void;
}

/** The Node receiver (media-receiver.ts), in a child process. */
function startNodeReceiver(): Promise<Receiver> {
  const child = fork(join(here, 'media-receiver.ts'), [], { execArgv: ['--import', 'tsx'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (m: { port: number }) => {
      resolve({
        port: m.port,
        tell: (cmd) => child.send({ cmd }),
        ask: (cmd) =>
          new Promise((res) => {
            child.once('message', (r: ReceiverReport) => res(r));
            child.send({ cmd });
          }),
      });
    });
  });
}

/**
 * The C receiver (kernel-timestamp-receiver.c, built here with cc): intervals
 * from the kernel's receive timestamps, independent of when a receiving
 * process gets to run.
 */
async function startKernelReceiver(): Promise<Receiver> {
  const bin = join(here, 'results', '.bin', 'kernel-timestamp-receiver');
  await mkdir(dirname(bin), { recursive: true });
  execFileSync('cc', ['-O2', '-o', bin, join(here, 'kernel-timestamp-receiver.c')]);
  const child = spawn(bin, [String(drainMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = (): Promise<string> => new Promise((res) => waiting.push(res));
  const first = await next();
  return {
    port: Number(first.split(' ')[1]),
    tell: (cmd) => child.stdin.write(`${cmd}\n`),
    ask: async (cmd) => {
      const line = next();
      child.stdin.write(`${cmd}\n`);
      return JSON.parse(await line) as ReceiverReport;
    },
  };
}

function offer(port: number): string {
  const pt = codec === 'PCMA' ? '8' : codec === 'opus' ? '111' : '0';
  const map = codec === 'PCMA' ? 'PCMA/8000' : codec === 'opus' ? 'opus/48000/2' : 'PCMU/8000';
  return [
    'v=0',
    'o=bench 1 1 IN IP4 127.0.0.1',
    's=bench',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP ${pt} 101`,
    `a=rtpmap:${pt} ${map}`,
    'a=rtpmap:101 telephone-event/8000',
    'a=rtcp-mux',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

async function runSize(n: number, receiver: Receiver): Promise<Record<string, unknown>> {
  const prompt = generateTone([440, 620], 3000, 0.3);
  const server = new EmbeddedMediaServer({
    rtpPortMin: 0,
    rtpPortMax: 0,
    bindAddress: '127.0.0.1',
    advertisedAddress: '127.0.0.1',
    cacheDir: join(here, 'results', '.cache'),
    loader: { get: async () => prompt },
    inbandDtmf: 'never',
    ...(phases > 0 || Object.keys(timingGiven).length > 0 ? { clock: benchClock() } : {}),
  });
  global.gc?.();
  const mem0 = process.memoryUsage();
  const endpoints: Endpoint[] = [];
  for (let i = 0; i < n; i++) endpoints.push(await server.createEndpoint({ remoteSdp: offer(receiver.port) }));
  const stop = new AbortController();
  setMaxListeners(0, stop.signal); // one listener per endpoint's play
  const plays = endpoints.map((e) => e.play('prompt', { loop: 0, signal: stop.signal }));
  await new Promise((r) => setTimeout(r, 1000)); // warm-up
  global.gc?.();
  const mem1 = process.memoryUsage();
  // Let the ticks delayed by that full collection pass before measuring; both
  // sides then count only intervals that begin inside the measurement.
  await new Promise((r) => setTimeout(r, 200));
  lastSend = new WeakMap();
  receiver.tell('start');
  sendHist.bins.fill(0);
  sendHist.n = 0;
  sendHist.max = 0;
  sendHist.on = true;
  const clock0 = { ...server.clock.stats };
  const sentNow = (): number => endpoints.reduce((a, e) => a + e.stats().sent.packets, 0);
  const sent0 = sentNow();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const sent1 = sentNow();
  sendHist.on = false;
  const wall = performance.now() - t0;
  const report = await receiver.ask('stop');
  const clock = server.clock.stats;
  stop.abort();
  await Promise.all(plays);
  await server.close();
  const sent = endpoints.reduce((a, e) => a + e.stats().sent.packets, 0);
  return {
    endpoints: n,
    codec,
    clockPhases: phases > 0 ? phases : MEDIA_CLOCK_PHASES,
    clockTiming: { ...Object.fromEntries(Object.keys(clockTiming).map((k) => [k, 'default'])), ...timingGiven },
    seconds: wall / 1000,
    cpuPercentOfOneCore: ((cpu.user + cpu.system) / 1000 / wall) * 100,
    /** The engine's CPU time (user + system) per RTP packet sent: less sensitive to other load than the timings. */
    cpuMicrosPerPacket: (cpu.user + cpu.system) / Math.max(1, sent1 - sent0),
    memoryPerEndpointKiB: {
      rss: (mem1.rss - mem0.rss) / n / 1024,
      heap: (mem1.heapUsed - mem0.heapUsed) / n / 1024,
    },
    packetsSentTotal: sent,
    receiver: {
      streams: report.streams,
      packets: report.packets,
      packetsPerSecond: report.packets / (wall / 1000),
      lost: report.lost,
    },
    /** Deviation from 20 ms of the interval between two packets of one stream, measured when handed to the socket. */
    sendIntervalDeviationMs: {
      p50: sendPercentile(0.5),
      p99: sendPercentile(0.99),
      p999: sendPercentile(0.999),
      max: sendHist.max,
    },
    /**
     * The same, as the packets arrived: timed by the receiving process
     * (--receiver node) or by the kernel as it queued them (--receiver kernel).
     */
    receiverKind,
    ...(receiverKind === 'kernel' ? { receiverDrainMs: drainMs } : {}),
    arrivalIntervalDeviationMs: report.deviationMs,
    ...(report.userDeviationMs ? { receiverUserSpaceDeviationMs: report.userDeviationMs } : {}),
    clock: {
      ticks: clock.ticks - clock0.ticks,
      caughtUp: clock.caughtUp - clock0.caughtUp,
      skipped: clock.skipped - clock0.skipped,
      maxLateMs: clock.maxLateMs,
      meanTickMs: (clock.busyMs - clock0.busyMs) / Math.max(1, clock.ticks - clock0.ticks),
      maxTickMs: clock.maxTickMs,
      meanWaitMs: (clock.waitMs - clock0.waitMs) / Math.max(1, clock.ticks - clock0.ticks),
    },
  };
}

/** The line printed for one size. */
function summary(r: Record<string, unknown>): string {
  const d = r.sendIntervalDeviationMs as ReceiverReport['deviationMs'];
  const a = r.arrivalIntervalDeviationMs as ReceiverReport['deviationMs'];
  return (
    `N=${r.endpoints as number}: CPU ${(r.cpuPercentOfOneCore as number).toFixed(1)}% of a core ` +
    `(${(r.cpuMicrosPerPacket as number).toFixed(2)} us/packet), ` +
    `RSS/endpoint ${(r.memoryPerEndpointKiB as { rss: number }).rss.toFixed(1)} KiB, ` +
    `send interval deviation p50 ${d.p50.toFixed(2)} p99 ${d.p99.toFixed(2)} max ${d.max.toFixed(2)} ms; ` +
    `arrival (${receiverKind}) p50 ${a.p50.toFixed(2)} p99 ${a.p99.toFixed(2)} max ${a.max.toFixed(2)} ms; ` +
    `lost ${(r.receiver as { lost: number }).lost}`
  );
}

/** Runs one size in a fresh process, so that memory per endpoint does not depend on the sizes run before. */
function runInChild(n: number): Promise<Record<string, unknown>> {
  const child = fork(fileURLToPath(import.meta.url), [...process.argv.slice(2), '--one', String(n)], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...engineNodeFlags()],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (r: Record<string, unknown>) => resolve(r));
    child.once('exit', (code) => reject(new Error(`benchmark of ${n} endpoints exited with ${code}`)));
  });
}

const one = Number(arg('one', '0'));
if (one > 0) {
  const receiver = receiverKind === 'kernel' ? await startKernelReceiver() : await startNodeReceiver();
  const r = await runSize(one, receiver);
  receiver.tell('exit');
  process.send?.(r, () => process.exit(0));
} else {
  console.log(`load average before the run: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);
  console.log(
    receiverKind === 'kernel'
      ? `arrivals timed by the kernel (SO_TIMESTAMPNS), receiver ${drainMs > 0 ? `draining every ${drainMs} ms` : 'waiting on its socket'}`
      : 'arrivals timed by a Node receiver process (includes its own scheduling delay)',
  );
  const results: Record<string, unknown>[] = [];
  for (const n of sizes) {
    const r = await runInChild(n);
    results.push(r);
    console.log(summary(r));
  }
  const last = results.find((r) => r.endpoints === 1000);
  if (last) {
    const p99 = (last.sendIntervalDeviationMs as ReceiverReport['deviationMs']).p99;
    console.log(`target (p99 send-interval deviation < 2 ms at 1000 streams): ${p99 < 2 ? 'met' : 'NOT met'}, p99 ${p99.toFixed(2)} ms`);
  }
  await writeResults(results);
}

async function writeResults(results: Record<string, unknown>[]): Promise<void> {
  const out = join(here, 'results', 'media.json');
  await mkdir(dirname(out), { recursive: true });
  await writeFile(
    out,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverage: os.loadavg() },
        target: 'p99 send-interval deviation < 2 ms at 1000 G.711 streams',
        results,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`wrote ${out}`);
}
