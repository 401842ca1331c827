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
 * Writes bench/results/router.json.
 *   npm run bench:router -- [--levels 50,100,200] [--seconds 10] [--prompt "Hello."]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSipp, type SippResult } from '../test/support/sipp.js';
import type { SippMessage } from '../test/support/sipp-trace.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SCENARIO = path.join(here, '..', 'test', 'scenarios', 'router-uac-answered.xml');
const ACCOUNT_SID = 'AC' + 'b'.repeat(32);
const TARGET_CPS = 200;
const TARGET_P99_MS = 20;

interface Options {
  levels: number[];
  seconds: number;
  prompt: string;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { levels: [50, 100, 200, 300, 400, 500, 600], seconds: 10, prompt: 'Hello, and goodbye.' };
  for (let i = 0; i < argv.length; i++) {
    const [flag = '', inline] = (argv[i] ?? '').split('=', 2);
    const value = inline ?? argv[++i] ?? '';
    if (flag === '--levels') opts.levels = value.split(',').map(Number).filter((n) => n > 0);
    else if (flag === '--seconds') opts.seconds = Number(value);
    else if (flag === '--prompt') opts.prompt = value;
    else throw new Error(`unknown option ${flag}`);
  }
  return opts;
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable with SIPp's log timestamps. */
const wallNow = (): number => performance.timeOrigin + performance.now();

/** The application: every request to /voice gets the same document. */
async function startApp(prompt: string): Promise<{ server: Server; url: string; requests: () => number }> {
  let requests = 0;
  const doc = `<?xml version="1.0" encoding="UTF-8"?><Response><Say>${prompt}</Say><Hangup/></Response>`;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(doc);
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

interface EngineInfo {
  sip: Array<{ protocol: string; local: { address: string; port: number } }>;
}

interface EngineUsage {
  memory: NodeJS.MemoryUsage;
  cpu: NodeJS.CpuUsage;
  stats: unknown;
}

/** The engine in its child process. */
class EngineProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly info: EngineInfo,
  ) {}

  static async start(config: Record<string, unknown>): Promise<EngineProcess> {
    const child = fork(path.join(here, 'router-bench-engine.ts'), [], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const info = await new Promise<EngineInfo>((resolve, reject) => {
      child.on('message', (m: { type?: string; info?: EngineInfo; message?: string }) => {
        if (m.type === 'ready' && m.info) resolve(m.info);
        else if (m.type === 'error') reject(new Error(`engine: ${m.message}`));
      });
      child.once('exit', (code) => reject(new Error(`engine exited with ${code}`)));
      child.send({ type: 'start', config });
    });
    return new EngineProcess(child, info);
  }

  usage(opts: { gc?: boolean } = {}): Promise<EngineUsage> {
    return new Promise((resolve) => {
      const onMessage = (m: { type?: string } & EngineUsage): void => {
        if (m.type !== 'stats') return;
        this.child.off('message', onMessage);
        resolve(m);
      };
      this.child.on('message', onMessage);
      this.child.send({ type: 'stats', gc: opts.gc ?? false });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
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

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dialtone-router-bench-'));
  const app = await startApp(opts.prompt);
  const rtp = await RtpReceiver.open();
  const config = {
    accounts: [{ id: ACCOUNT_SID, authToken: 'router-bench-token' }],
    applications: [{ id: 'bench', voiceUrl: app.url }],
    routes: { default: 'bench' },
    allowedSources: ['127.0.0.1'],
    dataDir,
    http: { address: '127.0.0.1', port: 0 },
    api: { address: '127.0.0.1', port: 0 },
    sipServer: {
      sip: { address: '127.0.0.1', port: 0, transports: ['udp'] },
      admin: { address: '127.0.0.1', port: 0, secret: 'router-bench' },
    },
    media: { rtpPortMin: 0, rtpPortMax: 0, bindAddress: '127.0.0.1', advertisedAddress: '127.0.0.1', codecs: ['PCMU'] },
  };
  const engine = await EngineProcess.start(config);
  const results: LevelResult[] = [];
  try {
    const udp = engine.info.sip.find((s) => s.protocol === 'udp') ?? engine.info.sip[0];
    if (!udp) throw new Error('the engine reports no SIP listener');
    const target = `${udp.local.address}:${udp.local.port}`;
    console.log(`router benchmark against ${target} (${os.cpus().length} cores, node ${process.version}); prompt "${opts.prompt}"`);
    console.log('priming the TTS cache');
    const prime = await runLevel(engine, target, rtp, app, 1, 1);
    if (!prime.clean) throw new Error('the priming call failed; see the line above');
    console.log('warm-up');
    await runLevel(engine, target, rtp, app, 20, 100);
    console.log('rates');
    for (const rate of opts.levels) {
      const r = await runLevel(engine, target, rtp, app, rate, Math.max(1, Math.round(rate * opts.seconds)));
      results.push(r);
      if (!r.clean) break;
    }
    const drained = await drain(engine, 90_000);
    console.log(`after the run (${Math.round(drained.waitedMs / 1000)} s for SIP transactions to expire, then gc): ${JSON.stringify(drained.stats)}, rss ${drained.rssMB} MB, heap ${drained.heapUsedMB} MB`);
    const best = results.filter((r) => r.clean).reduce<LevelResult | undefined>((m, r) => (m && m.rate >= r.rate ? m : r), undefined);
    const atTarget = results.find((r) => r.rate === TARGET_CPS);
    const report = {
      benchmark: 'router',
      date: new Date().toISOString(),
      machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, loadavg: os.loadavg() },
      setup:
        'engine (embedded SIP server, media engine, call router) in a child process; application server and RTP receiver ' +
        'in the benchmark process; SIPp router-uac-answered.xml over UDP; document <Say>prompt</Say><Hangup/>, prompt cached',
      prompt: opts.prompt,
      /** Highest rate with every call successful and heard, and no retransmission. */
      sustainableCps: best?.rate ?? 0,
      target: { cps: TARGET_CPS, firstAudioP99Ms: TARGET_P99_MS },
      metTarget: atTarget !== undefined && atTarget.clean && atTarget.postAnswerDelayMs.p99 <= TARGET_P99_MS,
      delayMethod: "SIPp's -trace_msg timestamp of the received 200 OK to the first RTP packet from the engine port in that 200 OK's SDP",
      levels: results,
      afterRun: drained,
    };
    await mkdir(path.join(here, 'results'), { recursive: true });
    const file = path.join(here, 'results', 'router.json');
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nsustainable rate (every call ok and heard, no retransmission): ${report.sustainableCps} cps (target ${TARGET_CPS})`);
    if (atTarget) console.log(`first audio at ${TARGET_CPS} cps: p50 ${atTarget.postAnswerDelayMs.p50} ms, p99 ${atTarget.postAnswerDelayMs.p99} ms (target p99 <= ${TARGET_P99_MS} ms)`);
    if (best && best !== atTarget) console.log(`first audio at ${best.rate} cps: p50 ${best.postAnswerDelayMs.p50} ms, p99 ${best.postAnswerDelayMs.p99} ms (target p99 <= ${TARGET_P99_MS} ms)`);
    console.log(`written to ${path.relative(process.cwd(), file)}`);
  } finally {
    await engine.stop();
    rtp.socket.close();
    app.server.closeAllConnections();
    app.server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
