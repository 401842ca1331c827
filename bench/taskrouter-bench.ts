/**
 * TaskRouter benchmark: a contact center of 1,000 workers in ten TaskQueues
 * (TargetWorkers on skills, languages and level) and two Workflows of nine
 * filters in all, whose targets hold worker expressions (bench/taskrouter-
 * bench-scenario.ts), offered 10,000 tasks at a steady 2,000 a second. Each
 * reservation is accepted as soon as it is made and its task completed a
 * random 50-250 ms later, so workers free up and take the tasks waiting.
 *
 * Reports, per run, the assignment latency (createTask to the reservation
 * being made, as the workspace's `reserved` hook sees it: p50, p90, p99,
 * max; also from the moment the task was due by the offered rate), the
 * tasks assigned a second, the process's CPU time and memory, the event
 * loop's delay, the assignment passes, and the time the store takes to
 * confirm its last writes after the last task (Redis writes behind).
 * Each run is a process of its own (bench/taskrouter-bench-run.ts), on the
 * embedded store (a database in a fresh directory) or on a redis-server of
 * its own, with the node flags the engine ships with (bench/engine-node-flags.ts;
 * BENCH_NODE_FLAGS adds more); --profile DIR
 * writes a CPU profile of each run's measured part (open it in Chrome DevTools).
 * Writes bench/results/taskrouter.json.
 *
 *   npm run bench:taskrouter [-- --stores embedded,redis --runs 3 --tasks 10000 --workers 1000
 *                                --rate 2000 --handle-ms 50-250 --warmup 1000 --seed 1
 *                                --profile DIR]
 *
 * --rate 0 offers every task at once (a burst: the capacity, not the latency).
 *
 * Targets: p99 under 5 ms on the embedded store and under 20 ms on Redis,
 * at least 1,000 assignments a second.
 */
import { execFileSync, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineNodeFlags } from './engine-node-flags.js';
import type { RunOptions, RunResult } from './taskrouter-bench-run.js';

const here = dirname(fileURLToPath(import.meta.url));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

const stores = arg('stores', 'embedded,redis')
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is RunOptions['store'] => s === 'embedded' || s === 'redis');
const runs = Number(arg('runs', '3'));
const [handleLo, handleHi] = arg('handle-ms', '50-250').split('-').map(Number) as [number, number?];
const base: Omit<RunOptions, 'store'> = {
  tasks: Number(arg('tasks', '10000')),
  workers: Number(arg('workers', '1000')),
  rate: Number(arg('rate', '2000')),
  handleMs: [handleLo, handleHi ?? handleLo],
  warmup: Number(arg('warmup', '1000')),
  seed: Number(arg('seed', '1')),
  drainTimeoutMs: Number(arg('drain-timeout-ms', '60000')),
};
/** --profile DIR: a CPU profile of each run's measured tasks, DIR/taskrouter-<store>-<run>.cpuprofile. */
const profileDir = arg('profile', '');

const TARGETS = { p99Ms: { embedded: 5, redis: 20 }, assignedPerSecond: 1000 } as const;

function runOne(options: RunOptions): Promise<RunResult> {
  const child = fork(join(here, 'taskrouter-bench-run.ts'), [], { execArgv: ['--import', 'tsx', '--expose-gc', ...engineNodeFlags()] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { ok: true; result: RunResult } | { ok: false; error: string }) => (m.ok ? resolve(m.result) : reject(new Error(m.error))));
    child.once('exit', (code) => reject(new Error(`the run's process exited (${code}) without a result`)));
    child.send(options);
  });
}

function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r, i) => {
    const line = r.map((v, c) => (c < 2 ? String(v).padEnd(widths[c]!) : String(v).padStart(widths[c]!))).join('  ');
    return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

const meetsLatency = (r: RunResult): boolean => r.reserved === r.tasks && r.latencyMs.p99 < TARGETS.p99Ms[r.store];
const meetsRate = (r: RunResult): boolean => r.assignedPerSecond >= TARGETS.assignedPerSecond;

/** Which code was measured: the commit, and a hash of engine/taskrouter and engine/store as they are on disk (they may differ from the commit). */
async function codeVersion(): Promise<{ commit: string; sources: string }> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  const hash = createHash('sha256');
  for (const dir of ['engine/taskrouter', 'engine/store']) {
    const root = join(here, '..', dir);
    const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.ts')).sort();
    for (const f of files) hash.update(f).update(await readFile(join(root, f)));
  }
  return { commit, sources: hash.digest('hex').slice(0, 12) };
}

const version = await codeVersion();
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`${cpu}, ${os.cpus().length} cores, node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`commit ${version.commit}, engine/taskrouter + engine/store sources ${version.sources}`);
console.log(
  `${base.tasks} tasks at ${base.rate > 0 ? `${base.rate}/s` : 'once'}, ${base.workers} workers, handling ${base.handleMs.join('-')} ms, warm-up ${base.warmup} tasks; ${runs} run(s) per store`,
);
const results: (RunResult & { run: number; loadAverageBefore: number })[] = [];
for (const store of stores) {
  for (let run = 1; run <= runs; run++) {
    const profile = profileDir ? join(profileDir, `taskrouter-${store}-${run}.cpuprofile`) : undefined;
    if (profileDir) await mkdir(profileDir, { recursive: true });
    const loadAverageBefore = Math.round(os.loadavg()[0]! * 100) / 100;
    const r = await runOne({ ...base, store, ...(profile ? { profile } : {}) });
    results.push({ ...r, run, loadAverageBefore });
    console.log(
      `${store} #${run}: p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms, ${r.assignedPerSecond} assigned/s, ` +
        `CPU ${r.cpu.percentOfCore} % of a core, RSS ${r.rssMb} MB, flush ${r.flushMs} ms (load average before: ${loadAverageBefore})`,
    );
  }
}

console.log();
console.log(
  table([
    ['store', 'run', 'reserved', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'p99 from due', '1st pass', 'assigned/s', 'CPU s', 'CPU %core', 'tasks/CPU-s', 'RSS MB', 'heap MB', 'loop p99 ms', 'passes', 'busy avg', 'flush ms', 'redis CPU %'],
    ...results.map((r) => [
      r.store,
      r.run,
      `${r.reserved}/${r.tasks}`,
      r.latencyMs.p50,
      r.latencyMs.p90,
      r.latencyMs.p99,
      r.latencyMs.max,
      r.latencyFromDueMs.p99,
      `${(r.firstPassShare * 100).toFixed(1)} %`,
      r.assignedPerSecond,
      ((r.cpu.userMs + r.cpu.systemMs) / 1000).toFixed(2),
      r.cpu.percentOfCore,
      r.cpu.tasksPerCpuSecond,
      r.rssMb,
      r.heapAfterGcMb,
      r.eventLoopDelayMs.p99,
      r.passes.count,
      r.busyWorkers.mean,
      r.flushMs,
      r.redis ? r.redis.percentOfCore : '-',
    ]),
  ]),
);
console.log();
const verdicts: Record<string, { p99: boolean; assignedPerSecond: boolean }> = {};
for (const store of stores) {
  const mine = results.filter((r) => r.store === store);
  verdicts[store] = { p99: mine.every(meetsLatency), assignedPerSecond: mine.every(meetsRate) };
  console.log(
    `${store}: p99 < ${TARGETS.p99Ms[store]} ms in every run: ${verdicts[store].p99 ? 'met' : 'NOT met'} (${mine.map((r) => r.latencyMs.p99).join(', ')}); ` +
      `>= ${TARGETS.assignedPerSecond} assigned/s in every run: ${verdicts[store].assignedPerSecond ? 'met' : 'NOT met'} (${mine.map((r) => r.assignedPerSecond).join(', ')})`,
  );
}

await mkdir(join(here, 'results'), { recursive: true });
const out = join(here, 'results', 'taskrouter.json');
await writeFile(
  out,
  JSON.stringify(
    {
      benchmark: 'taskrouter',
      date: new Date().toISOString(),
      machine: { cpu, cores: os.cpus().length, node: process.version, loadavg: os.loadavg() },
      code: version,
      setup:
        'TaskRouterService in a process of its own per run, on the embedded store (fresh directory) or a redis-server of its own (no persistence); ' +
        '10 TaskQueues, two Workflows of 9 filters in all (bench/taskrouter-bench-scenario.ts); tasks created at a steady rate; each reservation accepted ' +
        'when made (ws.accept, next microtask) and its task completed after a uniform random handling time; latency = createTask call to the reserved hook',
      options: base,
      targets: TARGETS,
      verdicts,
      results,
    },
    null,
    2,
  ) + '\n',
);
console.log(`${cpu}, ${os.cpus().length} cores; written to bench/results/taskrouter.json`);
