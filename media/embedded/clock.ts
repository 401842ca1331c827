import { FRAME_MS } from './audio/format.js';

/** Atomics.wait on a cell nobody notifies: a sub-millisecond sleep of the thread. */
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Something driven by the media clock: every stream's sender is one. */
export interface ClockListener {
  /**
   * Called once per 20 ms tick. `skipped` is the number of whole ticks that
   * were dropped before this one because the process was too late to catch up
   * (normally 0): a stream advances its RTP timestamps by those ticks too.
   */
  onTick(skipped: number): void;
}

export interface MediaClockStats {
  /** Ticks run, counting each phase's tick. */
  ticks: number;
  /** Ticks run late in a burst to catch up. */
  caughtUp: number;
  /** Ticks dropped because the process was too far behind (summed over phases). */
  skipped: number;
  /** Largest lateness of a tick against its deadline, in ms. */
  maxLateMs: number;
  /** Time spent running listeners, in ms, in total and for the longest tick. */
  busyMs: number;
  maxTickMs: number;
  /** Time spent waiting out the last stretch before a deadline (see spinMs), asleep or spinning, in ms. */
  spinMs: number;
}

export interface MediaClockOptions {
  periodMs?: number;
  /** Late by at most this many periods, missed ticks run back to back; later, they are dropped. */
  maxCatchUpTicks?: number;
  /**
   * Node timers fire on whole milliseconds, up to ~1 ms late. The timer is
   * set this much before the deadline and the last stretch is waited out on
   * the monotonic clock: sleeping (Atomics.wait, no CPU) to within
   * spinMarginMs of the deadline, then spinning; sub-millisecond ticks for at
   * most spinMs of waiting per wake-up (0 disables it).
   */
  spinMs?: number;
  /**
   * How much of that wait is spent spinning; before it the thread sleeps
   * (Atomics.wait, no CPU). Default: all of it (= spinMs). A sleep wakes
   * late by 0.05-0.1 ms typically but by 1-2.5 ms at p99 on a busy 2-core
   * VM, where a spinning thread is already running: at 1000 streams a 0.2 ms
   * margin saved ~7% of a core and cost ~0.7 ms of p99 interval deviation
   * (medians of ten runs each). Lower it where CPU matters more than the tail.
   */
  spinMarginMs?: number;
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
  private startNs = 0n;
  /** Index of the last sub-tick handled: period * phases + phase. */
  private subIndex = 0;
  private readonly periodNs: bigint;
  private readonly subNs: bigint;
  private readonly phases: number;
  private readonly maxCatchUpTicks: number;
  private readonly spinNs: bigint;
  private readonly spinMarginMs: number;
  readonly stats: MediaClockStats = {
    ticks: 0,
    caughtUp: 0,
    skipped: 0,
    maxLateMs: 0,
    busyMs: 0,
    maxTickMs: 0,
    spinMs: 0,
  };

  constructor(opts: MediaClockOptions = {}) {
    const periodMs = opts.periodMs ?? FRAME_MS;
    this.phases = Math.max(1, Math.floor(opts.phases ?? 1));
    this.periodNs = BigInt(Math.round(periodMs * 1e6));
    this.subNs = this.periodNs / BigInt(this.phases);
    this.maxCatchUpTicks = opts.maxCatchUpTicks ?? 3;
    this.spinNs = BigInt(Math.round((opts.spinMs ?? 1) * 1e6));
    this.spinMarginMs = opts.spinMarginMs ?? opts.spinMs ?? 1;
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
    if (!this.timer) this.start();
  }

  remove(listener: ClockListener): void {
    const g = this.slotOf.get(listener);
    if (g === undefined) return;
    // Order of the others is kept so every stream's send time within a tick stays stable.
    this.slots[g] = this.slots[g].filter((l) => l !== listener);
    this.slotOf.delete(listener);
    this.count--;
    if (this.count === 0) this.stop();
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
    if (from === undefined || this.phases === 1 || !this.timer) return;
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
    // The clock may be waiting for a later phase than the one it now has to serve.
    this.stop();
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private start(): void {
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

  private schedule(): void {
    const next = this.deadlineNs(this.nextBusy());
    const delayMs = Number(next - this.spinNs - process.hrtime.bigint()) / 1e6;
    this.timer = setTimeout(this.fire, Math.max(0, Math.floor(delayMs)));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const target = this.nextBusy();
    const deadline = this.deadlineNs(target);
    const woke = process.hrtime.bigint();
    let now = woke;
    // Wait out the last stretch (at most spinNs, as the timer was set that early).
    if (deadline - now <= this.spinNs) {
      if (now < deadline) {
        // Sleep most of it, then spin on performance.now(): a double, where
        // hrtime.bigint() would allocate a BigInt per turn of the loop.
        const waitMs = Number(deadline - now) / 1e6;
        const until = performance.now() + waitMs;
        if (waitMs > this.spinMarginMs) Atomics.wait(sleepCell, 0, 0, waitMs - this.spinMarginMs);
        while (performance.now() < until);
        now = process.hrtime.bigint();
        this.stats.spinMs += Number(now - woke) / 1e6;
      }
    } else if (now < deadline) {
      this.schedule();
      return;
    }
    const lateMs = Number(now - deadline) / 1e6;
    if (lateMs > this.stats.maxLateMs) this.stats.maxLateMs = lateMs;
    // Every sub-tick due by now, counting the one that fired.
    const lastDue = Number((now - this.startNs) / this.subNs);
    if (lastDue - this.subIndex <= this.maxCatchUpTicks * this.phases) {
      let ran = 0;
      for (let s = this.subIndex + 1; s <= lastDue; s++) if (this.runSubTick(s)) ran++;
      this.stats.caughtUp += Math.max(0, ran - 1);
    } else {
      // Too late: the phases that fall due now run once; each hears how many ticks it missed.
      for (let s = Math.max(this.subIndex + 1, lastDue - this.phases + 1); s <= lastDue; s++) this.runSubTick(s);
    }
    this.subIndex = lastDue;
    if (this.count > 0) this.schedule();
  };

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
