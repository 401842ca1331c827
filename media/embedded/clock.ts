import { FRAME_MS } from './audio/format.js';

/** Atomics.wait on a cell nobody notifies: a sub-millisecond sleep of the thread. */
const sleepCell = new Int32Array(new SharedArrayBuffer(4));
/**
 * Short sleeps wake on time where long ones do not: on a busy 2-core VM a
 * 0.1-1 ms sleep overshot by 0.15 ms at p99, a 2 ms one by 1 ms (a vCPU
 * that stays idle longer is handed back to the host). So the clock never
 * sleeps longer than MAX_SLEEP_MS between looks at the time, and waits out
 * the last stretch before a deadline in slices of SLEEP_SLICE_MS.
 */
const MAX_SLEEP_MS = 1;
const SLEEP_SLICE_MS = 0.1;

/** Something driven by the media clock: every stream's sender is one. */
export interface ClockListener {
  /**
   * Called once per 20 ms tick. `skipped` is the number of whole ticks that
   * were dropped before this one because the process was too late to catch up
   * (normally 0): a stream advances its RTP timestamps by those ticks too.
   */
  onTick(skipped: number): void;
}

/** Upper bounds (ms) of the buckets of MediaClockStats.lateness; a last bucket holds the rest. */
export const LATENESS_BOUNDS_MS: readonly number[] = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 50];

export interface MediaClockStats {
  /** Ticks run, counting each phase's tick. */
  ticks: number;
  /** Ticks run late in a burst to catch up. */
  caughtUp: number;
  /** Ticks dropped because the process was too far behind (summed over phases). */
  skipped: number;
  /** Largest lateness of a tick against its deadline, in ms. */
  maxLateMs: number;
  /**
   * Lateness of each wake-up against its deadline: counts per bucket of
   * LATENESS_BOUNDS_MS (not cumulative; one more for above the last bound),
   * and the sum in ms.
   */
  lateness: { counts: number[]; sumMs: number };
  /** Time spent running listeners, in ms, in total and for the longest tick. */
  busyMs: number;
  maxTickMs: number;
  /** Time spent waiting out the last stretch before a deadline, asleep or spinning, in ms. */
  waitMs: number;
}

export interface MediaClockOptions {
  periodMs?: number;
  /** Late by at most this many periods, missed ticks run back to back; later, they are dropped. */
  maxCatchUpTicks?: number;
  /**
   * How long before a deadline the last timer should go off, in ms. A Node
   * timer fires on whole milliseconds (setTimeout(0) waits 1 ms), about
   * 0.1 ms after it was due; the rest is waited out on the monotonic clock
   * (see waitUntil). 0 with spinMs 0: whole-millisecond timers only.
   */
  timerSlopMs?: number;
  /**
   * The final stretch before a deadline, spun rather than slept, in ms. At
   * 100 streams on this 2-core VM, 0.3 rather than 0.1 took the median p99
   * send-interval deviation of four runs from ~1.1 to ~0.65 ms, for 4% of a
   * core more.
   */
  spinMs?: number;
  /**
   * Listeners are spread over this many phases of the period (4: one group
   * every 5 ms), so that a thousand streams do not all send in one burst: the
   * work of a tick is split, and each stream's send time depends only on the
   * streams of its own phase. Phases with no listener cost nothing.
   */
  phases?: number;
}

/**
 * One clock for every stream in the process. Tick n of phase g is due at
 * start + n * period + g * period / phases on the monotonic clock
 * (process.hrtime), so lateness of one tick does not shift the ones after it
 * (no drift from chained delays). A listener stays in its phase for life, so
 * its ticks stay exactly one period apart.
 *
 * Catch-up policy: when a tick runs late by less than `maxCatchUpTicks`
 * periods the missed ticks run at once, back to back, so streams stay on
 * time; when later than that, the missed ticks are dropped and reported to
 * listeners as `skipped` (a burst of stale audio would be worse than a gap).
 */
export class MediaClock {
  private readonly slots: ClockListener[][];
  private readonly slotOf = new Map<ClockListener, number>();
  /** The period each phase last ran in, to tell its listeners how many they missed. */
  private readonly lastPeriod: number[];
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** Started and not stopped: a wake-up is pending or a tick is running. */
  private running = false;
  private firing = false;
  private startNs = 0n;
  /** Index of the last sub-tick handled: period * phases + phase. */
  private subIndex = 0;
  private readonly periodNs: bigint;
  private readonly subNs: bigint;
  private readonly phases: number;
  private readonly maxCatchUpTicks: number;
  /** How long before a deadline the last timer goes off: timer slop plus the spin. */
  private readonly earlyNs: bigint;
  private readonly spinMs: number;
  readonly stats: MediaClockStats = {
    ticks: 0,
    caughtUp: 0,
    skipped: 0,
    maxLateMs: 0,
    lateness: { counts: new Array<number>(LATENESS_BOUNDS_MS.length + 1).fill(0), sumMs: 0 },
    busyMs: 0,
    maxTickMs: 0,
    waitMs: 0,
  };

  constructor(opts: MediaClockOptions = {}) {
    const periodMs = opts.periodMs ?? FRAME_MS;
    this.phases = Math.max(1, Math.floor(opts.phases ?? 1));
    this.periodNs = BigInt(Math.round(periodMs * 1e6));
    this.subNs = this.periodNs / BigInt(this.phases);
    this.maxCatchUpTicks = opts.maxCatchUpTicks ?? 3;
    this.spinMs = opts.spinMs ?? 0.3;
    this.earlyNs = BigInt(Math.round(((opts.timerSlopMs ?? 0.5) + this.spinMs) * 1e6));
    this.slots = Array.from({ length: this.phases }, () => []);
    this.lastPeriod = new Array<number>(this.phases).fill(0);
  }

  get size(): number {
    return this.count;
  }

  add(listener: ClockListener): void {
    if (this.slotOf.has(listener)) return;
    let g = 0;
    for (let i = 1; i < this.phases; i++) if (this.slots[i].length < this.slots[g].length) g = i;
    // Copy on write: a tick in progress keeps iterating its own snapshot.
    this.slots[g] = [...this.slots[g], listener];
    this.slotOf.set(listener, g);
    this.count++;
    if (!this.running) this.start();
  }

  remove(listener: ClockListener): void {
    const g = this.slotOf.get(listener);
    if (g === undefined) return;
    // Order of the others is kept so every stream's send time within a tick stays stable.
    this.slots[g] = this.slots[g].filter((l) => l !== listener);
    this.slotOf.delete(listener);
    this.count--;
    // A tick in progress decides when it ends whether to go on.
    if (this.count === 0 && !this.firing) this.stop();
  }

  /**
   * A listener that has been idle is about to send (a prompt starts): it
   * moves to the phase that ticks next (unless that phase already has more
   * than its share), so its first packet waits about one phase (5 ms with
   * four) instead of up to a whole period. Only for a listener with no
   * packet in flight: moving shifts its tick times.
   */
  hurry(listener: ClockListener): void {
    const from = this.slotOf.get(listener);
    if (from === undefined || this.phases === 1 || !this.running) return;
    // The soonest phase that is not already fuller than its share (so that
    // many prompts starting at once still spread over the phases).
    const share = Math.ceil((this.count * 5) / (4 * this.phases)) + 1;
    let to = from;
    for (let i = 1; i <= this.phases; i++) {
      const g = (this.subIndex + i) % this.phases;
      if (g === from || this.slots[g].length < share) {
        to = g;
        break;
      }
    }
    if (to === from) return;
    this.slots[from] = this.slots[from].filter((l) => l !== listener);
    this.slots[to] = [...this.slots[to], listener];
    this.slotOf.set(listener, to);
    // Its next tick comes less than a period after its last one: its RTP
    // timestamp runs at most one frame ahead, at a talkspurt start (marker bit).
    // The clock may be waiting for a later phase than the one it now has to
    // serve (a tick in progress schedules the next wake-up when it ends).
    if (this.firing) return;
    this.cancelWake();
    this.schedule();
  }

  stop(): void {
    this.cancelWake();
    this.running = false;
  }

  private cancelWake(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private start(): void {
    this.running = true;
    this.startNs = process.hrtime.bigint();
    this.subIndex = 0;
    this.lastPeriod.fill(0);
    this.schedule();
  }

  private deadlineNs(subIndex: number): bigint {
    return this.startNs + BigInt(subIndex) * this.subNs;
  }

  /** The next sub-tick whose phase has listeners (the clock does not wake for empty phases). */
  private nextBusy(): number {
    let s = this.subIndex + 1;
    for (let i = 0; i < this.phases && this.slots[s % this.phases].length === 0; i++) s++;
    return s;
  }

  /**
   * Sets the wake-up for the next busy deadline. No sleep is longer than
   * MAX_SLEEP_MS: the clock re-arms until the deadline is near.
   */
  private schedule(): void {
    const next = this.deadlineNs(this.nextBusy());
    const delayMs = Number(next - this.earlyNs - process.hrtime.bigint()) / 1e6;
    if (delayMs < 1 && this.earlyNs > 0n) {
      // Too close for a timer: come back right after pending I/O.
      this.immediate = setImmediate(this.fire);
      return;
    }
    this.timer = setTimeout(this.fire, Math.max(0, Math.min(MAX_SLEEP_MS, Math.floor(delayMs))));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    const deadline = this.deadlineNs(this.nextBusy());
    let now = process.hrtime.bigint();
    if (now < deadline) {
      // A timer (1 ms at least) set now could land past the deadline: wait here instead.
      if (this.earlyNs === 0n || deadline - now > this.earlyNs + 1_000_000n) {
        this.schedule();
        return;
      }
      now = this.waitUntil(deadline);
    }
    const lateMs = Number(now - deadline) / 1e6;
    if (lateMs > this.stats.maxLateMs) this.stats.maxLateMs = lateMs;
    let b = 0;
    while (b < LATENESS_BOUNDS_MS.length && lateMs > LATENESS_BOUNDS_MS[b]) b++;
    this.stats.lateness.counts[b]++;
    this.stats.lateness.sumMs += lateMs;
    // Every sub-tick due by now, counting the one that fired.
    const lastDue = Number((now - this.startNs) / this.subNs);
    this.firing = true;
    if (lastDue - this.subIndex <= this.maxCatchUpTicks * this.phases) {
      let ran = 0;
      for (let s = this.subIndex + 1; s <= lastDue; s++) if (this.runSubTick(s)) ran++;
      this.stats.caughtUp += Math.max(0, ran - 1);
    } else {
      // Too late: the phases that fall due now run once; each hears how many ticks it missed.
      for (let s = Math.max(this.subIndex + 1, lastDue - this.phases + 1); s <= lastDue; s++) this.runSubTick(s);
    }
    this.firing = false;
    this.subIndex = lastDue;
    if (this.count > 0) this.schedule();
    else this.stop();
  };

  /**
   * Waits for `deadline` on the monotonic clock, blocking: sleeps of
   * SLEEP_SLICE_MS (Atomics.wait, no CPU) to within spinMs of it, then a spin
   * on performance.now() (a double, where hrtime.bigint() would allocate a
   * BigInt per turn).
   */
  private waitUntil(deadline: bigint): bigint {
    const from = process.hrtime.bigint();
    const t0 = performance.now();
    const until = t0 + Number(deadline - from) / 1e6;
    for (let left = until - t0; left > this.spinMs; left = until - performance.now()) {
      Atomics.wait(sleepCell, 0, 0, Math.min(SLEEP_SLICE_MS, left - this.spinMs));
    }
    while (performance.now() < until);
    const now = process.hrtime.bigint();
    this.stats.waitMs += Number(now - from) / 1e6;
    return now;
  }

  /** Runs the listeners of one phase's tick; false when that phase has none. */
  private runSubTick(s: number): boolean {
    const g = s % this.phases;
    const period = Math.floor(s / this.phases);
    const ls = this.slots[g];
    const skipped = Math.max(0, period - this.lastPeriod[g] - 1);
    this.lastPeriod[g] = period;
    if (ls.length === 0) return false;
    this.stats.ticks++;
    this.stats.skipped += skipped;
    const t0 = performance.now();
    for (let i = 0; i < ls.length; i++) {
      try {
        ls[i].onTick(skipped);
      } catch {
        // One stream's failure must not stop the others; the stream logs its own errors.
      }
    }
    const busy = performance.now() - t0;
    this.stats.busyMs += busy;
    if (busy > this.stats.maxTickMs) this.stats.maxTickMs = busy;
    return true;
  }
}
