/**
 * Call router benchmark: the whole path of an inbound call, INVITE ->
 * webhook -> <Say> from the TTS cache -> <Hangup/>, with SIPp callers
 * (test/scenarios/router-uac-answered.xml) at increasing rates.
 *
 * The engine runs in a child process (bench/router-bench-engine.ts); this
 * process holds the application server (node:http answering every call with
 * the same document) and one UDP socket that every caller's SDP points at,
 * so the audio of each call arrives here. A call's post-answer delay is the
 * time from SIPp receiving the 200 OK (its message log timestamp) to the
 * first RTP packet from the engine's RTP port named in that 200 OK's SDP.
 *
 * 1. One call primes the TTS cache (and warms the path).
 * 2. Rates in increasing steps (default 50..600 cps, 10 s each), stopping at
 *    the first that is not clean (every call successful and heard, and no
 *    SIP retransmission: nothing was late by T1).
 * 3. The engine's state once its SIP transactions have expired (live calls,
 *    endpoints, transactions, memory after a gc): what a run leaves behind.
 *
 * Reports the highest clean rate and, per rate, the post-answer delay to the
 * first audio packet (p50, p90, p99, max). Target: 200 cps, p99 <= 20 ms.
 * All of it once per store (the embedded one, then Redis on a redis-server
 * of the round's own); with Redis, then the latency of a REST update made
 * on a second engine for a call the first one runs (bench/cross-engine-updates.ts).
 * Writes bench/results/router.json.
 *   npm run bench:router -- [--levels 50,100,200] [--seconds 10] [--prompt "Hello."]
 *     [--stores embedded,redis] [--update-calls 100]
 */
import { createSocket, type Socket } from 'node:dgram';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSipp, type SippResult } from '../test/support/sipp.js';
import type { SippMessage } from '../test/support/sipp-trace.js';
import { EngineProcess, type EngineUsage } from './bench-engine-process.js';
import { measureCrossEngineUpdates, type UpdateLatency } from './cross-engine-updates.js';
import { startRedis } from '../test/support/redis-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SCENARIO = path.join(here, '..', 'test', 'scenarios', 'router-uac-answered.xml');
const ACCOUNT_SID = 'AC' + 'b'.repeat(32);
const AUTH_TOKEN = 'router-bench-token';
const TARGET_CPS = 200;
const TARGET_P99_MS = 20;

type StoreKind = 'embedded' | 'redis';

interface Options {
  levels: number[];
  seconds: number;
  prompt: string;
  /** The engine's store in each round, one after another. */
  stores: StoreKind[];
  /** Calls held up for the cross-engine REST update latency (0: that part is left out). */
  updateCalls: number;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { levels: [50, 100, 200, 300, 400, 500, 600], seconds: 10, prompt: 'Hello, and goodbye.', stores: ['embedded', 'redis'], updateCalls: 100 };
  for (let i = 0; i < argv.length; i++) {
    const [flag = '', inline] = (argv[i] ?? '').split('=', 2);
    const value = inline ?? argv[++i] ?? '';
    if (flag === '--levels') opts.levels = value.split(',').map(Number).filter((n) => n > 0);
    else if (flag === '--seconds') opts.seconds = Number(value);
    else if (flag === '--prompt') opts.prompt = value;
    else if (flag === '--stores') opts.stores = value.split(',').map((k) => k.trim()).filter((k): k is StoreKind => k === 'embedded' || k === 'redis');
    else if (flag === '--update-calls') opts.updateCalls = Number(value);
    else throw new Error(`unknown option ${flag}`);
  }
  return opts;
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable with SIPp's log timestamps. */
const wallNow = (): number => performance.timeOrigin + performance.now();

/** The application: every request to /voice gets the same document; /hold keeps the call up. */
async function startApp(prompt: string): Promise<{ server: Server; url: string; requests: () => number }> {
  let requests = 0;
  const doc = `<?xml version="1.0" encoding="UTF-8"?><Response><Say>${prompt}</Say><Hangup/></Response>`;
  const hold = '<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="60"/></Response>';
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(req.url?.startsWith('/hold') ? hold : doc);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/voice`, requests: () => requests };
}

/** Every caller's audio lands here; arrival times are kept per source (engine) port. */
class RtpReceiver {
  readonly arrivals = new Map<number, number[]>();
  packets = 0;
  private constructor(readonly socket: Socket) {
    socket.on('message', (msg, rinfo) => {
      if (msg.length < 12 || (msg[1] ?? 0) >= 192) return; // not RTP (RTCP shares nothing here, but be safe)
      this.packets++;
      let list = this.arrivals.get(rinfo.port);
      if (!list) this.arrivals.set(rinfo.port, (list = []));
      list.push(wallNow());
    });
  }

  static async open(): Promise<RtpReceiver> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    socket.setRecvBufferSize(8 << 20);
    return new RtpReceiver(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** First arrival from `port` within [from, to]. */
  firstBetween(port: number, from: number, to: number): number | undefined {
    return this.arrivals.get(port)?.find((t) => t >= from && t <= to);
  }

  clear(): void {
    this.arrivals.clear();
    this.packets = 0;
  }
}

interface Delays {
  measured: number;
  /** Answered calls whose audio never arrived. */
  withoutAudio: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[rank] ?? Number.NaN) * 100) / 100;
}

/** Post-answer delay of each call: 200 OK (SIPp's timestamp) -> first RTP from the port its SDP names. */
function postAnswerDelays(trace: SippMessage[], rtp: RtpReceiver): Delays {
  const calls = new Map<string, { ok?: SippMessage; byeAt?: number }>();
  for (const m of trace) {
    if (m.direction !== 'received') continue;
    const id = m.header('Call-ID') ?? '';
    let call = calls.get(id);
    if (!call) calls.set(id, (call = {}));
    if (m.status === 200 && m.cseqMethod === 'INVITE' && !call.ok) call.ok = m;
    if (m.method === 'BYE' && call.byeAt === undefined) call.byeAt = m.time;
  }
  const delays: number[] = [];
  let withoutAudio = 0;
  for (const call of calls.values()) {
    if (!call.ok) continue;
    const port = Number(/^m=audio (\d+) /m.exec(call.ok.body)?.[1]);
    const answeredAt = call.ok.time;
    // A little slack before: the two clocks are the same wall clock, read by two processes.
    const first = Number.isFinite(port) ? rtp.firstBetween(port, answeredAt - 50, (call.byeAt ?? answeredAt + 30_000) + 50) : undefined;
    if (first === undefined) withoutAudio++;
    else delays.push(first - answeredAt);
  }
  delays.sort((a, b) => a - b);
  return {
    measured: delays.length,
    withoutAudio,
    p50: percentile(delays, 50),
    p90: percentile(delays, 90),
    p99: percentile(delays, 99),
    max: percentile(delays, 100),
  };
}

interface LevelResult {
  rate: number;
  calls: number;
  /** From SIPp's start to its exit: the calls are placed over calls/rate seconds, then the last ones run their course. */
  wallSeconds: number;
  /** Successful calls over wallSeconds (so below `rate` by the length of a call). */
  achievedCps: number;
  successful: number;
  failed: number;
  retransmissions: number;
  webhookRequests: number;
  rtpPackets: number;
  sippExit: number | null;
  clean: boolean;
  postAnswerDelayMs: Delays;
  engineCpuPercent: number;
  engineRssMB: number;
  /** engine.stats() right after SIPp exited: live calls and media endpoints should be back to 0. */
  engineAfter: unknown;
  note?: string;
}

async function runLevel(engine: EngineProcess, target: string, rtp: RtpReceiver, app: { requests: () => number }, rate: number, calls: number): Promise<LevelResult> {
  rtp.clear();
  const requestsBefore = app.requests();
  const before = await engine.usage();
  const t0 = performance.now();
  const sipp = await startSipp({
    scenario: SCENARIO,
    remote: target,
    service: 'bench',
    calls,
    rate,
    limit: rate * 10,
    keys: { rtp_port: String(rtp.port), rtcp_port: String(rtp.port + 1) },
    timeoutSeconds: Math.ceil(calls / rate) + 60,
  });
  const result: SippResult = await sipp.done;
  const wallMs = performance.now() - t0;
  const after = await engine.usage();
  const s = result.stats;
  const successful = s?.successfulCalls ?? 0;
  const failed = s?.failedCalls ?? calls;
  const delays = postAnswerDelays(result.trace, rtp);
  const cpuUs = after.cpu.user - before.cpu.user + (after.cpu.system - before.cpu.system);
  const level: LevelResult = {
    rate,
    calls,
    wallSeconds: Math.round(wallMs / 100) / 10,
    achievedCps: Math.round((successful / (wallMs / 1000)) * 10) / 10,
    successful,
    failed,
    retransmissions: s?.retransmissions ?? 0,
    webhookRequests: app.requests() - requestsBefore,
    rtpPackets: rtp.packets,
    sippExit: result.exitCode,
    clean: successful === calls && failed === 0 && (s?.retransmissions ?? 0) === 0 && delays.withoutAudio === 0 && delays.measured === calls,
    postAnswerDelayMs: delays,
    engineCpuPercent: Math.round((cpuUs / 1000 / wallMs) * 1000) / 10,
    engineRssMB: Math.round((after.memory.rss / 1048576) * 10) / 10,
    engineAfter: after.stats,
  };
  if (!s) level.note = `no statistics from SIPp: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`;
  console.log(
    `  ${rate} cps x ${calls}: ${successful} ok, ${failed} failed, ${level.retransmissions} retrans, ${level.achievedCps} cps; ` +
      `first audio after 200 OK p50 ${delays.p50} ms p90 ${delays.p90} ms p99 ${delays.p99} ms max ${delays.max} ms ` +
      `(${delays.withoutAudio} without audio); engine cpu ${level.engineCpuPercent}% rss ${level.engineRssMB} MB`,
  );
  return level;
}

/** Waits (up to `limitMs`) until the engine holds no calls and no SIP transactions; reports what is left after a gc. */
async function drain(engine: EngineProcess, limitMs: number): Promise<{ waitedMs: number; stats: unknown; rssMB: number; heapUsedMB: number }> {
  const t0 = Date.now();
  let usage = await engine.usage();
  const busy = (u: EngineUsage): boolean => {
    const st = u.stats as { calls?: number; sip?: { transactions?: number } } | undefined;
    return (st?.calls ?? 0) > 0 || (st?.sip?.transactions ?? 0) > 0;
  };
  while (busy(usage) && Date.now() - t0 < limitMs) {
    await new Promise((r) => setTimeout(r, 500));
    usage = await engine.usage();
  }
  const collected = await engine.usage({ gc: true });
  return {
    waitedMs: Date.now() - t0,
    stats: collected.stats,
    rssMB: Math.round((collected.memory.rss / 1048576) * 10) / 10,
    heapUsedMB: Math.round((collected.memory.heapUsed / 1048576) * 10) / 10,
  };
}

interface Round {
  store: StoreKind;
  /** Highest rate with every call successful and heard, and no retransmission. */
  sustainableCps: number;
  /** Calls per second achieved at that rate. */
  achievedCps: number;
  metTarget: boolean;
  levels: LevelResult[];
  afterRun: Awaited<ReturnType<typeof drain>>;
  crossEngineUpdates?: UpdateLatency;
}

function engineConfig(appUrl: string, dataDir: string, store: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    accounts: [{ id: ACCOUNT_SID, authToken: AUTH_TOKEN }],
    applications: [
      { id: 'bench', voiceUrl: appUrl },
      { id: 'hold', voiceUrl: appUrl.replace(/\/voice$/, '/hold') },
    ],
    routes: { default: 'bench', users: { hold: 'hold' } },
    allowedSources: ['127.0.0.1'],
    dataDir,
    store,
    http: { address: '127.0.0.1', port: 0 },
    api: { address: '127.0.0.1', port: 0 },
    sipServer: {
      sip: { address: '127.0.0.1', port: 0, transports: ['udp'] },
      admin: { address: '127.0.0.1', port: 0, secret: 'router-bench' },
    },
    media: { rtpPortMin: 0, rtpPortMax: 0, bindAddress: '127.0.0.1', advertisedAddress: '127.0.0.1', codecs: ['PCMU'] },
    ...extra,
  };
}

/** One round: an engine on `store`, the priming call, a warm-up, the rates; with Redis, the cross-engine updates. */
async function runRound(kind: StoreKind, opts: Options, app: Awaited<ReturnType<typeof startApp>>, rtp: RtpReceiver): Promise<Round> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dialtone-router-bench-'));
  const redis = kind === 'redis' ? await startRedis() : undefined;
  const store = redis ? { redis: redis.url, keyPrefix: 'bench' } : {};
  const engine = await EngineProcess.start(engineConfig(app.url, dataDir, store, { engineId: 'bench-1' }));
  try {
    const udp = engine.info.sip.find((s) => s.protocol === 'udp') ?? engine.info.sip[0];
    if (!udp) throw new Error('the engine reports no SIP listener');
    const target = `${udp.local.address}:${udp.local.port}`;
    console.log(`\n${kind} store: router benchmark against ${target}`);
    console.log('priming the TTS cache');
    const prime = await runLevel(engine, target, rtp, app, 1, 1);
    if (!prime.clean) throw new Error('the priming call failed; see the line above');
    console.log('warm-up');
    await runLevel(engine, target, rtp, app, 20, 100);
    console.log('rates');
    const levels: LevelResult[] = [];
    for (const rate of opts.levels) {
      const r = await runLevel(engine, target, rtp, app, rate, Math.max(1, Math.round(rate * opts.seconds)));
      levels.push(r);
      if (!r.clean) break;
    }
    const afterRun = await drain(engine, 90_000);
    console.log(`after the run (${Math.round(afterRun.waitedMs / 1000)} s for SIP transactions to expire, then gc): ${JSON.stringify(afterRun.stats)}, rss ${afterRun.rssMB} MB, heap ${afterRun.heapUsedMB} MB`);
    let crossEngineUpdates: UpdateLatency | undefined;
    if (redis && opts.updateCalls > 0) {
      const second = await EngineProcess.start(
        engineConfig(app.url, dataDir, store, { engineId: 'bench-2', drachtio: { host: engine.info.admin.address, port: engine.info.admin.port, secret: 'router-bench' } }),
      );
      try {
        crossEngineUpdates = await measureCrossEngineUpdates({
          first: engine,
          second,
          target,
          rtpPort: rtp.port,
          scenario: SCENARIO,
          redisUrl: redis.url,
          keyPrefix: 'bench',
          account: { sid: ACCOUNT_SID, token: AUTH_TOKEN },
          calls: opts.updateCalls,
        });
        const { crossEngine: c, local: l } = crossEngineUpdates;
        console.log(`REST hang-up through engine 2: of a call on engine 1 p50 ${c.p50Ms} ms p99 ${c.p99Ms} ms (${c.requests}, ${c.failed} failed); of its own p50 ${l.p50Ms} ms p99 ${l.p99Ms} ms (${l.requests})`);
      } finally {
        await second.stop();
      }
    }
    const best = levels.filter((r) => r.clean).reduce<LevelResult | undefined>((m, r) => (m && m.rate >= r.rate ? m : r), undefined);
    const atTarget = levels.find((r) => r.rate === TARGET_CPS);
    return {
      store: kind,
      sustainableCps: best?.rate ?? 0,
      achievedCps: best?.achievedCps ?? 0,
      metTarget: atTarget !== undefined && atTarget.clean && atTarget.postAnswerDelayMs.p99 <= TARGET_P99_MS,
      levels,
      afterRun,
      ...(crossEngineUpdates ? { crossEngineUpdates } : {}),
    };
  } finally {
    await engine.stop();
    await redis?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const app = await startApp(opts.prompt);
  const rtp = await RtpReceiver.open();
  console.log(`router benchmark (${os.cpus().length} cores, ${os.cpus()[0]?.model}, node ${process.version}); prompt "${opts.prompt}"; stores ${opts.stores.join(', ')}`);
  try {
    const rounds: Round[] = [];
    for (const kind of opts.stores) rounds.push(await runRound(kind, opts, app, rtp));
    const report = {
      benchmark: 'router',
      date: new Date().toISOString(),
      machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, loadavg: os.loadavg() },
      setup:
        'engine (embedded SIP server, media engine, call router) in a child process, on the embedded store or on a redis-server of its own; ' +
        'application server and RTP receiver in the benchmark process; SIPp router-uac-answered.xml over UDP; document <Say>prompt</Say><Hangup/>, prompt cached',
      prompt: opts.prompt,
      target: { cps: TARGET_CPS, firstAudioP99Ms: TARGET_P99_MS },
      delayMethod: "SIPp's -trace_msg timestamp of the received 200 OK to the first RTP packet from the engine port in that 200 OK's SDP",
      rounds,
    };
    await mkdir(path.join(here, 'results'), { recursive: true });
    const file = path.join(here, 'results', 'router.json');
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log('');
    for (const r of rounds) {
      const best = r.levels.find((l) => l.rate === r.sustainableCps);
      console.log(
        `${r.store}: sustainable rate ${r.sustainableCps} cps offered, ${r.achievedCps} achieved (every call ok and heard, no retransmission); ` +
          (best ? `first audio p50 ${best.postAnswerDelayMs.p50} ms, p99 ${best.postAnswerDelayMs.p99} ms` : 'no clean rate'),
      );
      const atTarget = r.levels.find((l) => l.rate === TARGET_CPS);
      if (atTarget) console.log(`  at ${TARGET_CPS} cps: ${atTarget.achievedCps} achieved, first audio p99 ${atTarget.postAnswerDelayMs.p99} ms (target ${TARGET_P99_MS} ms)`);
    }
    console.log(`written to ${path.relative(process.cwd(), file)}`);
  } finally {
    rtp.socket.close();
    app.server.closeAllConnections();
    app.server.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
