/**
 * Conference benchmark: P participants of the embedded media engine in
 * rooms of R (R = 3, 10, 50), every participant sending a 20 ms PCMU frame
 * every 20 ms, as phones do. In each room T participants talk at a time
 * (a tone; the talkers change every 2 s) and the others send the low noise
 * of an open line; --talkers all makes everyone talk at once (the worst
 * case: every member then gets a mix of its own).
 * The engine runs in its own process; this process plays the participants
 * (from one UDP socket, as a trunk's media would come, or one socket each
 * with --sockets each) and times the mixed audio that comes back.
 * Reports the engine's CPU (in total, and per participant, as % of one
 * core), the deviation of the engine's send intervals from 20 ms (p50, p99,
 * max), the deviation of arrival intervals at the participants, and the
 * media clock's dropped ticks. Writes bench/results/conference.json.
 *
 *   npm run bench:conference [-- --rooms 3,10,50 --participants 300 --seconds 10 --talkers 1|all]
 *
 * --rooms 2 is the baseline: the same participants bridged two by two (as
 * <Dial> connects calls), no conference room, for the cost of RTP itself.
 *
 * Target: 300 participants in one process under 50 % of a core, with the
 * p99 send-interval deviation under 2 ms.
 */
import dgram from 'node:dgram';
import { fork } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulawEncode } from '../media/embedded/audio/g711.js';
import { generateTone } from '../media/embedded/dsp/tone.js';
import { Histogram } from './conference-bench-histogram.js';
import type { EngineReport, EngineRequest } from './conference-bench-engine.js';
import { engineNodeFlags } from './engine-node-flags.js';

const here = dirname(fileURLToPath(import.meta.url));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

const roomSizes = arg('rooms', '3,10,50').split(',').map(Number);
const participants = Number(arg('participants', '300'));
const seconds = Number(arg('seconds', '10'));
const warmupMs = 3000;
const talkersArg = arg('talkers', '1');
/** Talkers at a time in each room (Infinity: all). */
const talkersPerRoom = talkersArg === 'all' ? Infinity : Number(talkersArg);
const TALK_TURN_MS = 2000;

interface Participant {
  socket: dgram.Socket;
  port: number;
  enginePort: number;
  seq: number;
  ts: number;
  ssrc: number;
  lastArrival?: number;
}

function toFrames(pcm: Int16Array): Buffer[] {
  const out: Buffer[] = [];
  for (let k = 0; k + 160 <= pcm.length; k += 160) out.push(mulawEncode(pcm.subarray(k, k + 160)));
  return out;
}

/** Frames of a tone per participant (its own frequency), looped. */
function framesFor(i: number): Buffer[] {
  return toFrames(generateTone([300 + (i % 40) * 37], 1000, 0.2));
}

/** An open line: noise about 60 dB below full scale. */
const LINE_NOISE = toFrames(Int16Array.from({ length: 8000 }, () => Math.round((Math.random() - 0.5) * 64)));

/** Whether participant i talks now (its room's turn). */
function talking(i: number, roomSize: number, now: number): boolean {
  if (talkersPerRoom >= roomSize) return true;
  const turn = Math.floor(now / TALK_TURN_MS);
  const seat = i % roomSize;
  const first = (turn * talkersPerRoom) % roomSize;
  return (((seat - first) % roomSize) + roomSize) % roomSize < talkersPerRoom;
}

const socketsArg = arg('sockets', 'one');

async function openSocket(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return socket;
}

async function openParticipants(n: number): Promise<Participant[]> {
  const shared = socketsArg === 'each' ? undefined : await openSocket();
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const socket = shared ?? (await openSocket());
      return { socket, port: socket.address().port, enginePort: 0, seq: 1, ts: 0, ssrc: 0x5000 + i };
    }),
  );
}

function packet(p: Participant, payload: Buffer): Buffer {
  const h = Buffer.alloc(12 + payload.length);
  h[0] = 0x80;
  h[1] = 0;
  h.writeUInt16BE(p.seq++ & 0xffff, 2);
  h.writeUInt32BE(p.ts >>> 0, 4);
  h.writeUInt32BE(p.ssrc, 8);
  payload.copy(h, 12);
  p.ts += 160;
  return h;
}

async function runOne(roomSize: number): Promise<Record<string, unknown>> {
  const engine = fork(join(here, 'conference-bench-engine.ts'), [], { execArgv: ['--import', 'tsx', '--expose-gc', ...engineNodeFlags()] });
  const reply = <T>(): Promise<T> => new Promise((resolve) => engine.once('message', (m) => resolve(m as T)));
  const parts = await openParticipants(participants);
  const ready = reply<{ ports: number[] }>();
  engine.send({ kind: 'setup', roomSize, ports: parts.map((p) => p.port), bridge: roomSize === 2 } satisfies EngineRequest);
  const { ports } = await ready;
  parts.forEach((p, i) => (p.enginePort = ports[i] as number));
  const frames = parts.map((_, i) => framesFor(i));
  const arrivals = new Histogram();
  let measuring = false;
  let received = 0;
  // Arrivals are told apart by the engine port they come from.
  const byEnginePort = new Map(parts.map((p) => [p.enginePort, p]));
  for (const socket of new Set(parts.map((p) => p.socket))) {
    socket.on('message', (_msg, rinfo) => {
      const p = byEnginePort.get(rinfo.port);
      if (!p) return;
      const now = performance.now();
      if (measuring && p.lastArrival !== undefined) arrivals.add(Math.abs(now - p.lastArrival - 20));
      if (measuring) received++;
      p.lastArrival = now;
    });
  }
  // Participants send in four groups, 5 ms apart, each every 20 ms on absolute deadlines.
  const start = performance.now();
  let tick = 0;
  let stop = false;
  const groups = 4;
  const loop = (): void => {
    if (stop) return;
    const g = tick % groups;
    const frame = Math.floor(tick / groups);
    const now = performance.now() - start;
    for (let i = g; i < parts.length; i += groups) {
      const p = parts[i] as Participant;
      const f = talking(i, roomSize, now) ? (frames[i] as Buffer[]) : LINE_NOISE;
      p.socket.send(packet(p, f[frame % f.length] as Buffer), p.enginePort, '127.0.0.1');
    }
    tick++;
    setTimeout(loop, Math.max(0, start + tick * 5 - performance.now()));
  };
  loop();
  await new Promise((r) => setTimeout(r, warmupMs));
  const begun = reply<{ ok: true }>();
  engine.send({ kind: 'measure' } satisfies EngineRequest);
  await begun;
  measuring = true;
  for (const p of parts) p.lastArrival = undefined;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const reported = reply<EngineReport>();
  engine.send({ kind: 'report' } satisfies EngineRequest);
  const r = await reported;
  stop = true;
  engine.send({ kind: 'exit' } satisfies EngineRequest);
  for (const socket of new Set(parts.map((p) => p.socket))) socket.close();
  const cpuPct = (r.cpuMs / r.wallMs) * 100;
  return {
    roomSize,
    mode: roomSize === 2 ? 'bridged pairs' : 'conference rooms',
    sockets: socketsArg,
    talkersPerRoom: Math.min(roomSize, talkersPerRoom),
    rooms: Math.ceil(participants / roomSize),
    participants,
    engineCpuPercentOfCore: round(cpuPct),
    cpuPercentPerParticipant: round(cpuPct / participants, 4),
    sendDeviationMs: r.send,
    arrivalDeviationMs: { p50: round(arrivals.percentile(0.5)), p99: round(arrivals.percentile(0.99)), max: round(arrivals.max) },
    packetsReceivedPerSecond: Math.round(received / seconds),
    clock: r.clock,
    rssMb: r.rssMb,
  };
}

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

const results = [];
for (const size of roomSizes) {
  const result = await runOne(size);
  results.push(result);
  console.log(JSON.stringify(result));
}
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
await mkdir(join(here, 'results'), { recursive: true });
await writeFile(join(here, 'results', 'conference.json'), JSON.stringify({ date: new Date().toISOString(), cpu, cores: os.cpus().length, seconds, results }, null, 2) + '\n');
console.log(`${cpu}, ${os.cpus().length} cores; written to bench/results/conference.json`);
