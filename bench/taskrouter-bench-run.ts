/**
 * One run of bench/taskrouter-bench.ts, in a process of its own (so that
 * its CPU time and memory are its own): a TaskRouterService on the
 * embedded store or on Redis (a redis-server of the run's own), the
 * contact center of taskrouter-bench-scenario.ts, tasks created at a
 * steady rate, each reservation accepted as soon as it is made and its
 * task completed a random handling time later. The time of a task is from
 * the createTask call to the workspace's `reserved` hook for it.
 *
 * Diagnostics: BENCH_TR_TRACE=<file> writes every assignment pass of the
 * measured part as [start ms, duration ms, tasks waiting, workers busy].
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { StoreOptionsSchema } from '../config/store-options.js';
import { silentLogger } from '../engine/logger.js';
import { EmbeddedStore } from '../engine/store/embedded/embedded-store.js';
import type { RedisStore } from '../engine/store/redis/redis-store.js';
import { TaskRouterService, type WorkspaceEntry } from '../engine/taskrouter/taskrouter-service.js';
import type { LiveTask } from '../engine/taskrouter/workspace-state.js';
import { WebhookTransport } from '../engine/webhooks/http-transport.js';
import { redisStoreAt } from '../test/store/store-kinds.js';
import { startRedis, type RedisServer } from '../test/support/redis-server.js';
import { buildContactCenter, random, taskAttributes } from './taskrouter-bench-scenario.js';

export interface RunOptions {
  store: 'embedded' | 'redis';
  tasks: number;
  workers: number;
  /** Tasks offered per second; 0: all at once. */
  rate: number;
  /** Handling time of a task after its reservation is accepted, uniform in [min, max] ms. */
  handleMs: [number, number];
  /** Tasks run (the same way, not measured) before the measured ones. */
  warmup: number;
  seed: number;
  /** Gives up waiting for the tasks after this long past the last arrival. */
  drainTimeoutMs: number;
  /** A file to write a CPU profile of the measured tasks to (V8's .cpuprofile, for Chrome DevTools). */
  profile?: string;
}

export interface RunResult {
  store: 'embedded' | 'redis';
  tasks: number;
  reserved: number;
  completed: number;
  workers: number;
  queueMembers: Record<string, number>;
  setupMs: number;
  /** createTask -> reservation, ms. */
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  /** From the moment the task was due by the offered rate (includes the arrival loop being late). */
  latencyFromDueMs: { p50: number; p99: number; max: number };
  /** Share of tasks reserved in the first assignment pass after their creation (no wait for a free worker). */
  firstPassShare: number;
  offeredPerSecond: number;
  assignedPerSecond: number;
  /** From the first measured task to the store's flush done. */
  wallMs: number;
  cpu: { userMs: number; systemMs: number; percentOfCore: number; tasksPerCpuSecond: number };
  rssMb: number;
  maxRssMb: number;
  heapUsedMb: number;
  /** The heap after a full collection at the end: what the workspace and the store hold on to. */
  heapAfterGcMb: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** Assignment passes; maxWaiting: the longest the waiting list (ws.state.waiting) was at the start of one. */
  passes: { count: number; totalMs: number; meanMs: number; maxMs: number; maxWaiting: number };
  busyWorkers: { mean: number; max: number };
  /** After the last task completed: until the store confirmed every write. */
  flushMs: number;
  redis?: { cpuMs: number; percentOfCore: number; hashFields: number; usedMemoryMb: number };
}

const ACCOUNT = 'AC' + 'b'.repeat(32);

const round = (v: number, digits = 2): number => Math.round(v * 10 ** digits) / 10 ** digits;

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

async function redisCpuMs(client: Redis): Promise<{ cpuMs: number; usedMemoryMb: number }> {
  const info = await client.info();
  const field = (name: string): number => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return { cpuMs: (field('used_cpu_user') + field('used_cpu_sys')) * 1000, usedMemoryMb: field('used_memory') / 2 ** 20 };
}

/**
 * How long the store takes to confirm every write made so far. A Redis
 * store's flush gives up after its read timeout (3 s) while Redis still
 * works through what was sent: it is asked again, up to two minutes.
 */
async function flushed(store: EmbeddedStore | RedisStore): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    try {
      await store.flush();
      return performance.now() - t0;
    } catch (err) {
      if (performance.now() - t0 > 120_000) throw err;
    }
  }
}

/** What one phase of tasks measured. */
interface Phase {
  created: Float64Array;
  due: Float64Array;
  reservedAt: Float64Array;
  createdPass: Int32Array;
  reservedPass: Int32Array;
  reserved: number;
  completed: number;
  firstCreated: number;
  lastReserved: number;
}

export async function run(o: RunOptions): Promise<RunResult> {
  let redis: RedisServer | undefined;
  let info: Redis | undefined;
  let dir: string | undefined;
  let store: EmbeddedStore | RedisStore;
  if (o.store === 'redis') {
    redis = await startRedis();
    store = redisStoreAt(redis.url, 'bench');
    await store.ready();
    info = new Redis(redis.url);
  } else {
    dir = await mkdtemp(join(tmpdir(), 'dialtone-taskrouter-bench-'));
    store = new EmbeddedStore(dir, StoreOptionsSchema.parse({}), silentLogger());
  }
  const svc = new TaskRouterService({ store: store.taskRouter, transport: new WebhookTransport({}), authTokenFor: () => 'token', log: silentLogger() });
  try {
    await svc.start();
    const setup0 = performance.now();
    const entry = svc.createWorkspace(ACCOUNT, { friendlyName: 'Bench contact center' });
    const { service, salesTech, queueMembers } = buildContactCenter(entry, o.workers, o.seed);
    const workflows = { service, salesTech };
    await new Promise((r) => setImmediate(r));
    await flushed(store);
    const setupMs = performance.now() - setup0;
    const measure = instrument(entry, o);

    // Warm-up (same work, other attributes), then the measured tasks.
    if (o.warmup > 0) await measure.phase(tasksOf(o.warmup, o.seed + 1000), workflows, random(o.seed + 1000), o.drainTimeoutMs);
    const measured = tasksOf(o.tasks, o.seed + 1);
    await flushed(store);
    await new Promise((r) => setTimeout(r, 200));

    const loop = monitorEventLoopDelay({ resolution: 1 });
    const redis0 = info ? await redisCpuMs(info) : undefined;
    measure.resetCounters();
    const profiler = o.profile ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    loop.enable();
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    let maxRss = process.memoryUsage.rss();
    const rssTimer = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage.rss())), 50);
    const p = await measure.phase(measured, workflows, random(o.seed + 2), o.drainTimeoutMs);
    // The run ends when the store has confirmed every write: CPU and wall time count the flush.
    const flushMs = await flushed(store);
    const wallMs = performance.now() - wall0;
    const cpu = process.cpuUsage(cpu0);
    loop.disable();
    clearInterval(rssTimer);
    if (profiler && o.profile) {
      const { profile } = await profiler.post('Profiler.stop');
      await writeFile(o.profile, JSON.stringify(profile));
      profiler.disconnect();
    }
    if (process.env.BENCH_TR_TRACE) await writeFile(process.env.BENCH_TR_TRACE, JSON.stringify({ start: wall0, passes: measure.trace }));
    const mem = process.memoryUsage();
    maxRss = Math.max(maxRss, mem.rss);
    // What stays once the garbage is gone (the process runs with --expose-gc).
    (globalThis as { gc?: () => void }).gc?.();
    const retained = process.memoryUsage().heapUsed;

    const n = p.reserved;
    const lat = new Float64Array(n);
    const fromDue = new Float64Array(n);
    let k = 0;
    let first = 0;
    for (let i = 0; i < o.tasks; i++) {
      if (!(p.reservedAt[i]! > 0)) continue;
      lat[k] = p.reservedAt[i]! - p.created[i]!;
      fromDue[k] = p.reservedAt[i]! - p.due[i]!;
      if (p.reservedPass[i] === p.createdPass[i]! + 1) first++;
      k++;
    }
    lat.sort();
    fromDue.sort();
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const ms = (v: number): number => round(v, 3);
    let redisOut: RunResult['redis'];
    if (info && redis0 && store.kind === 'redis') {
      const redis1 = await redisCpuMs(info);
      const hashFields = await info.hlen(store.keys.taskRouterWorkspace(entry.ws.sid));
      const redisCpu = redis1.cpuMs - redis0.cpuMs;
      redisOut = { cpuMs: round(redisCpu, 0), percentOfCore: round((redisCpu / wallMs) * 100, 1), hashFields, usedMemoryMb: round(redis1.usedMemoryMb, 1) };
    }
    return {
      store: o.store,
      tasks: o.tasks,
      reserved: p.reserved,
      completed: p.completed,
      workers: o.workers,
      queueMembers,
      setupMs: round(setupMs, 0),
      latencyMs: {
        p50: ms(percentile(lat, 0.5)),
        p90: ms(percentile(lat, 0.9)),
        p99: ms(percentile(lat, 0.99)),
        p999: ms(percentile(lat, 0.999)),
        max: ms(lat[n - 1] ?? NaN),
        mean: ms(lat.reduce((s, v) => s + v, 0) / n),
      },
      latencyFromDueMs: { p50: ms(percentile(fromDue, 0.5)), p99: ms(percentile(fromDue, 0.99)), max: ms(fromDue[n - 1] ?? NaN) },
      firstPassShare: round(first / n, 4),
      offeredPerSecond: round(o.tasks / ((p.created[o.tasks - 1]! - p.firstCreated) / 1000 || Infinity), 0),
      assignedPerSecond: round(n / ((p.lastReserved - p.firstCreated) / 1000), 0),
      wallMs: round(wallMs, 0),
      cpu: { userMs: round(cpu.user / 1000, 0), systemMs: round(cpu.system / 1000, 0), percentOfCore: round((cpuMs / wallMs) * 100, 1), tasksPerCpuSecond: round(o.tasks / (cpuMs / 1000), 0) },
      rssMb: round(mem.rss / 2 ** 20, 1),
      maxRssMb: round(maxRss / 2 ** 20, 1),
      heapUsedMb: round(mem.heapUsed / 2 ** 20, 1),
      heapAfterGcMb: round(retained / 2 ** 20, 1),
      eventLoopDelayMs: { p50: ms(loop.percentile(50) / 1e6), p99: ms(loop.percentile(99) / 1e6), max: ms(loop.max / 1e6) },
      passes: { count: measure.passes.count, totalMs: round(measure.passes.totalMs, 1), meanMs: ms(measure.passes.totalMs / measure.passes.count), maxMs: ms(measure.passes.maxMs), maxWaiting: measure.passes.maxWaiting },
      busyWorkers: { mean: round(measure.busy.area / Math.max(1, measure.busy.last - measure.busy.since), 1), max: measure.busy.max },
      flushMs: ms(flushMs),
      ...(redisOut ? { redis: redisOut } : {}),
    };
  } finally {
    svc.close();
    await store.close();
    await info?.quit();
    await redis?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/** The attributes of `count` tasks, drawn before the clock starts. */
function tasksOf(count: number, seed: number): { text: string; service: boolean }[] {
  const rand = random(seed);
  return Array.from({ length: count }, (_, i) => taskAttributes(rand, i));
}

/**
 * Watches the workspace: the `reserved` hook (timed, then the reservation
 * accepted and the task completed later), and each assignment pass.
 */
function instrument(entry: WorkspaceEntry, o: RunOptions) {
  const ws = entry.ws;
  const passes = { count: 0, totalMs: 0, maxMs: 0, maxWaiting: 0 };
  const trace: number[][] = [];
  const busy = { now: 0, max: 0, area: 0, last: performance.now(), since: performance.now() };
  const setBusy = (by: 1 | -1): void => {
    const now = performance.now();
    busy.area += busy.now * (now - busy.last);
    busy.last = now;
    busy.now += by;
    busy.max = Math.max(busy.max, busy.now);
  };
  const assign = ws.assign.bind(ws);
  ws.assign = () => {
    passes.count++;
    const waiting = ws.state.waiting.length;
    if (waiting > passes.maxWaiting) passes.maxWaiting = waiting;
    const t0 = performance.now();
    assign();
    const d = performance.now() - t0;
    if (process.env.BENCH_TR_TRACE) trace.push([t0, d, waiting, busy.now]);
    passes.totalMs += d;
    if (d > passes.maxMs) passes.maxMs = d;
  };
  let current: { p: Phase; index: Map<LiveTask, number>; handle: () => number; done: () => void } | undefined;
  const reserved = ws.hooks.reserved;
  ws.hooks.reserved = (r, t, w) => {
    const at = performance.now();
    reserved(r, t, w);
    const c = current;
    const i = c?.index.get(t);
    if (c && i !== undefined && !(c.p.reservedAt[i]! > 0)) {
      c.p.reservedAt[i] = at;
      c.p.reservedPass[i] = passes.count;
      c.p.reserved++;
      c.p.lastReserved = at;
    }
    setBusy(1);
    // The worker accepts at once (after the pass that made the reservation), and completes the task later.
    queueMicrotask(() => {
      ws.accept(r.sid);
      setTimeout(() => {
        ws.updateTask(r.taskSid, { assignmentStatus: 'completed', reason: 'handled' });
        setBusy(-1);
        if (c && i !== undefined) {
          c.p.completed++;
          if (c.p.completed === c.p.created.length) c.done();
        }
      }, c?.handle() ?? 0);
    });
  };

  return {
    passes,
    busy,
    trace,
    resetCounters(): void {
      passes.count = 0;
      passes.totalMs = 0;
      passes.maxMs = 0;
      passes.maxWaiting = 0;
      trace.length = 0;
      setBusy(1);
      setBusy(-1);
      busy.area = 0;
      busy.max = busy.now;
      busy.since = performance.now();
    },
    /** Creates `count` tasks at the offered rate; resolves when every one is completed (or the drain timeout passes). */
    async phase(attributes: readonly { text: string; service: boolean }[], workflows: { service: string; salesTech: string }, rand: () => number, drainTimeoutMs: number): Promise<Phase> {
      const count = attributes.length;
      const p: Phase = {
        created: new Float64Array(count),
        due: new Float64Array(count),
        reservedAt: new Float64Array(count),
        createdPass: new Int32Array(count),
        reservedPass: new Int32Array(count),
        reserved: 0,
        completed: 0,
        firstCreated: 0,
        lastReserved: 0,
      };
      const [lo, hi] = o.handleMs;
      let done!: () => void;
      const finished = new Promise<void>((r) => (done = r));
      const c = { p, index: new Map<LiveTask, number>(), handle: () => lo + rand() * (hi - lo), done };
      current = c;
      const start = performance.now();
      p.firstCreated = start;
      let made = 0;
      await new Promise<void>((resolve) => {
        const tick = (): void => {
          const now = performance.now();
          const due = o.rate > 0 ? Math.min(count, Math.floor(((now - start) * o.rate) / 1000) + 1) : count;
          for (; made < due; made++) {
            p.due[made] = o.rate > 0 ? start + (made * 1000) / o.rate : start;
            p.createdPass[made] = passes.count;
            const t0 = performance.now();
            const a = attributes[made]!;
            const t = ws.createTask(ACCOUNT, { attributes: a.text, workflowSid: a.service ? workflows.service : workflows.salesTech, taskChannel: 'voice' });
            p.created[made] = t0;
            c.index.set(t, made);
          }
          if (made >= count) return resolve();
          setTimeout(tick, Math.max(0, p.due[made - 1]! + 1000 / o.rate - performance.now()));
        };
        tick();
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([finished, new Promise<void>((r) => (timer = setTimeout(r, drainTimeoutMs)))]);
      clearTimeout(timer);
      current = undefined;
      return p;
    },
  };
}

// As a child of bench/taskrouter-bench.ts: one run per message.
if (process.send) {
  process.once('message', (m: RunOptions) => {
    run(m).then(
      (result) => process.send?.({ ok: true, result }, () => process.exit(0)),
      (err: Error) => process.send?.({ ok: false, error: err.stack ?? err.message }, () => process.exit(1)),
    );
  });
}
