/**
 * SIP benchmark: SIPp's built-in `uac` scenario (INVITE, 200, ACK, BYE, 200)
 * against the embedded SIP server over UDP, with a trivial drachtio-srf
 * application (bench/sip-bench-app.ts) answering 200 in a child process, as a
 * drachtio deployment runs server and application apart.
 *
 * 1. Rates in increasing steps (default 100..1000 cps, 15 s each, stopping at
 *    the first that is not clean): the highest with every call successful and
 *    no retransmission is the sustainable rate.
 * 2. A long run (default 100,000 calls) at that rate, then the server's memory
 *    (RSS, heap) right after, and once its transactions have expired (after a
 *    gc when node runs with --expose-gc).
 *
 * Writes bench/results/sip.json and prints a summary.
 *   npm run bench:sip -- [--levels 100,200,300] [--seconds 15] [--total 100000] [--rate N]
 *   node --expose-gc --import tsx bench/sip-bench.ts   (memory after a gc)
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SipServer } from '../engine/sipstack/sip-server.js';
import { freeUdpPort } from '../test/support/ports.js';
import { parseSippStats, type SippStats } from '../test/support/sipp-stats.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface Options {
  levels: number[];
  seconds: number;
  total: number;
  rate?: number;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { levels: [100, 200, 300, 400, 500, 600, 800, 1000], seconds: 15, total: 100_000 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = inline ?? argv[++i];
    if (flag === '--levels') opts.levels = value.split(',').map(Number).filter((n) => n > 0);
    else if (flag === '--seconds') opts.seconds = Number(value);
    else if (flag === '--total') opts.total = Number(value);
    else if (flag === '--rate') opts.rate = Number(value);
    else throw new Error(`unknown option ${flag}`);
  }
  return opts;
}

interface Usage {
  cpu: NodeJS.CpuUsage;
  memory: NodeJS.MemoryUsage;
  answered: number;
}

/** The application child process and its IPC conversation. */
class AppProcess {
  private constructor(private readonly child: ChildProcess) {}

  static async start(admin: { address: string; port: number }, secret: string): Promise<AppProcess> {
    const child = fork(path.join(here, 'sip-bench-app.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_ADMIN_HOST: admin.address, BENCH_ADMIN_PORT: String(admin.port), BENCH_ADMIN_SECRET: secret },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.on('message', (m: { type?: string; message?: string }) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'error') reject(new Error(`application: ${m.message}`));
      });
      child.once('exit', (code) => reject(new Error(`application exited with ${code}`)));
    });
    return new AppProcess(child);
  }

  usage(): Promise<Usage> {
    return new Promise((resolve) => {
      const onMessage = (m: { type?: string } & Partial<Usage>) => {
        if (m.type !== 'usage') return;
        this.child.off('message', onMessage);
        resolve(m as Usage);
      };
      this.child.on('message', onMessage);
      this.child.send({ type: 'usage' });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'exit' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}

interface SippRun {
  exitCode: number | null;
  stats: SippStats | undefined;
  stderrTail: string;
}

/** One SIPp `uac` run: `calls` calls at `rate` cps to `target`, statistics from -trace_stat. */
async function runSipp(target: string, rate: number, calls: number, timeoutSeconds: number): Promise<SippRun> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dialtone-sip-bench-'));
  const statsFile = path.join(dir, 'stats.csv');
  const port = await freeUdpPort();
  const args = [
    '-sn', 'uac', target,
    '-i', '127.0.0.1', '-p', String(port), '-t', 'u1',
    '-r', String(rate), '-m', String(calls), '-l', String(rate * 10),
    '-timeout', `${timeoutSeconds}s`, '-timeout_error',
    '-nostdin', '-trace_stat', '-stf', statsFile, '-fd', '1',
  ];
  const child = spawn('sipp', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  const stats = parseSippStats(await readFile(statsFile, 'utf8').catch(() => ''));
  await rm(dir, { recursive: true, force: true });
  return { exitCode, stats, stderrTail: stderr.trim().split('\n').slice(-3).join(' | ') };
}

function cpuPercent(before: NodeJS.CpuUsage, after: NodeJS.CpuUsage, wallMs: number): number {
  const us = after.user - before.user + (after.system - before.system);
  return Math.round((us / 1000 / wallMs) * 1000) / 10;
}

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

function memory(m: NodeJS.MemoryUsage) {
  return { rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed), heapTotalMB: mb(m.heapTotal), externalMB: mb(m.external) };
}

interface LevelResult {
  rate: number;
  calls: number;
  wallSeconds: number;
  achievedCps: number;
  successful: number;
  failed: number;
  retransmissions: number;
  unexpected: number;
  timeouts: number;
  sippExit: number | null;
  clean: boolean;
  serverCpuPercent: number;
  appCpuPercent: number;
  note?: string;
}

async function measure(
  server: SipServer,
  app: AppProcess,
  target: string,
  rate: number,
  calls: number,
): Promise<LevelResult> {
  const serverBefore = process.cpuUsage();
  const appBefore = (await app.usage()).cpu;
  const t0 = performance.now();
  const run = await runSipp(target, rate, calls, Math.ceil(calls / rate) + 60);
  const wallMs = performance.now() - t0;
  const serverAfter = process.cpuUsage();
  const appAfter = (await app.usage()).cpu;
  const s = run.stats;
  const successful = s?.successfulCalls ?? 0;
  const failed = s?.failedCalls ?? calls;
  const retransmissions = s?.retransmissions ?? 0;
  const result: LevelResult = {
    rate,
    calls,
    wallSeconds: Math.round(wallMs / 100) / 10,
    achievedCps: Math.round((successful / (wallMs / 1000)) * 10) / 10,
    successful,
    failed,
    retransmissions,
    unexpected: s?.failedUnexpectedMessage ?? 0,
    timeouts: s?.failedTimeoutOnRecv ?? 0,
    sippExit: run.exitCode,
    clean: successful === calls && failed === 0 && retransmissions === 0,
    serverCpuPercent: cpuPercent(serverBefore, serverAfter, wallMs),
    appCpuPercent: cpuPercent(appBefore, appAfter, wallMs),
  };
  if (!s) result.note = `no statistics from SIPp: ${run.stderrTail}`;
  const st = server.stats();
  console.log(
    `  ${rate} cps x ${calls}: ${successful} ok, ${failed} failed, ${retransmissions} retrans, ` +
      `${result.achievedCps} cps achieved, cpu server ${result.serverCpuPercent}% app ${result.appCpuPercent}% ` +
      `(live: ${st.transactions} transactions, ${st.dialogs} dialogs)`,
  );
  return result;
}

/** Waits until the server holds no transactions or dialogs (timers J/K expire), up to `limitMs`. */
async function drain(server: SipServer, limitMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < limitMs) {
    const s = server.stats();
    if (s.transactions === 0 && s.dialogs === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return Date.now() - t0;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const secret = 'cymru';
  const server = new SipServer({
    sip: { address: '127.0.0.1', port: 0, transports: ['udp'] },
    admin: { address: '127.0.0.1', port: 0, secret },
  });
  const info = await server.start();
  const udp = info.sip.find((s) => s.protocol === 'udp');
  if (!udp) throw new Error('no UDP listener');
  const target = `${udp.local.address}:${udp.local.port}`;
  const app = await AppProcess.start(info.admin, secret);
  const startMemory = process.memoryUsage();
  const results: LevelResult[] = [];
  let long: LevelResult | undefined;
  try {
    console.log(`SIP benchmark against ${target} (${os.cpus().length} cores, node ${process.version})`);
    console.log('warm-up');
    await measure(server, app, target, 50, 500);
    console.log('rates');
    for (const rate of opts.levels) {
      const r = await measure(server, app, target, rate, rate * opts.seconds);
      results.push(r);
      if (!r.clean) break;
    }
    const best = results.filter((r) => r.clean).reduce((m, r) => Math.max(m, r.rate), 0);
    const longRate = opts.rate ?? best;
    if (longRate > 0 && opts.total > 0) {
      console.log(`long run: ${opts.total} calls at ${longRate} cps`);
      long = await measure(server, app, target, longRate, opts.total);
    }
    const afterRun = { server: memory(process.memoryUsage()), stats: server.stats() };
    const drainMs = await drain(server, 60_000);
    const gcExposed = typeof globalThis.gc === 'function';
    if (gcExposed) globalThis.gc?.();
    const appUsage = await app.usage();
    const afterDrain = {
      server: memory(process.memoryUsage()),
      app: memory(appUsage.memory),
      stats: server.stats(),
      drainMs,
      gc: gcExposed,
    };
    const report = {
      benchmark: 'sip',
      date: new Date().toISOString(),
      machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
      setup: 'SipServer (UDP, in this process) + drachtio-srf app answering 200 via createUAS (child process); SIPp -sn uac over UDP',
      /** Highest short-run rate with every call successful and no retransmission. */
      sustainableCps: best,
      /** Whether the long run (at `longRun.rate`) was clean as well. */
      longRunClean: long?.clean ?? false,
      target: 300,
      levels: results,
      longRun: long,
      memory: { atStart: memory(startMemory), afterLongRun: afterRun, afterDrain },
    };
    await mkdir(path.join(here, 'results'), { recursive: true });
    const file = path.join(here, 'results', 'sip.json');
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nsustainable rate (0 failed, 0 retransmissions): ${best} cps (target 300)`);
    if (long) {
      console.log(
        `long run: ${long.successful}/${long.calls} ok at ${long.achievedCps} cps, ${long.failed} failed, ` +
          `${long.retransmissions} retransmissions (${long.clean ? 'clean' : 'NOT clean'})`,
      );
    }
    console.log(
      `memory after long run: rss ${afterRun.server.rssMB} MB, heap ${afterRun.server.heapUsedMB} MB ` +
        `(${afterRun.stats.transactions} transactions, ${afterRun.stats.dialogs} dialogs live)`,
    );
    console.log(
      `memory after drain${gcExposed ? ' + gc' : ''}: rss ${afterDrain.server.rssMB} MB, heap ${afterDrain.server.heapUsedMB} MB; ` +
        `app rss ${afterDrain.app.rssMB} MB heap ${afterDrain.app.heapUsedMB} MB`,
    );
    console.log(`written to ${path.relative(process.cwd(), file)}`);
  } finally {
    await app.stop();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
