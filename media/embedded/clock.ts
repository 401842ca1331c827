import { FRAME_MS } from './audio/format.js';

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
  ticks: number;
  /** Ticks run late in a burst to catch up. */
  caughtUp: number;
  /** Ticks dropped because the process was too far behind. */
  skipped: number;
  /** Largest lateness of a tick against its deadline, in ms. */
  maxLateMs: number;
  /** Time spent running listeners, in ms, in total and for the longest tick. */
  busyMs: number;
  maxTickMs: number;
}

const NS_PER_MS = 1_000_000n;

/**
 * One clock for every stream in the process. Tick n is due at
 * start + n * 20 ms on the monotonic clock (process.hrtime), so lateness of
 * one tick does not shift the ones after it (no drift from chained delays).
 *
 * Catch-up policy: when a tick runs late by less than `maxCatchUpTicks`
 * periods the missed ticks run at once, back to back, so streams stay on
 * time; when later than that, the missed ticks are dropped and reported to
 * listeners as `skipped` (a burst of stale audio would be worse than a gap).
 */
export class MediaClock {
  private listeners: ClockListener[] = [];
  private timer: NodeJS.Timeout | undefined;
  private startNs = 0n;
  private tickIndex = 0;
  private readonly periodNs: bigint;
  readonly stats: MediaClockStats = { ticks: 0, caughtUp: 0, skipped: 0, maxLateMs: 0, busyMs: 0, maxTickMs: 0 };

  private readonly spinNs: bigint;

  /**
   * @param spinMs Node timers fire on whole milliseconds, up to ~1 ms late.
   *   The timer is set this much before the deadline and the last stretch is
   *   waited out on the monotonic clock, which gives sub-millisecond ticks
   *   for at most spinMs of CPU per tick (0 disables it).
   */
  constructor(
    periodMs = FRAME_MS,
    private readonly maxCatchUpTicks = 3,
    spinMs = 1,
  ) {
    this.periodNs = BigInt(periodMs) * NS_PER_MS;
    this.spinNs = BigInt(Math.round(spinMs * 1e6));
  }

  get size(): number {
    return this.listeners.length;
  }

  add(listener: ClockListener): void {
    if (this.listeners.includes(listener)) return;
    // Copy on write: a tick in progress keeps iterating its own snapshot.
    this.listeners = [...this.listeners, listener];
    if (!this.timer) this.start();
  }

  remove(listener: ClockListener): void {
    if (!this.listeners.includes(listener)) return;
    // Order of the others is kept so every stream's send time within a tick stays stable.
    this.listeners = this.listeners.filter((l) => l !== listener);
    if (this.listeners.length === 0) this.stop();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private start(): void {
    this.startNs = process.hrtime.bigint();
    this.tickIndex = 0;
    this.schedule();
  }

  private deadlineNs(index: number): bigint {
    return this.startNs + BigInt(index) * this.periodNs;
  }

  private schedule(): void {
    const next = this.deadlineNs(this.tickIndex + 1);
    const delayMs = Number(next - this.spinNs - process.hrtime.bigint()) / 1e6;
    this.timer = setTimeout(this.fire, Math.max(0, Math.floor(delayMs)));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const deadline = this.deadlineNs(this.tickIndex + 1);
    let now = process.hrtime.bigint();
    // Wait out the last stretch (at most spinNs, as the timer was set that early).
    if (deadline - now <= this.spinNs) while (now < deadline) now = process.hrtime.bigint();
    else if (now < deadline) {
      this.schedule();
      return;
    }
    // How many periods are due now, counting the one that fired.
    const due = Number((now - this.startNs) / this.periodNs) - this.tickIndex;
    const lateMs = Number(now - this.deadlineNs(this.tickIndex + 1)) / 1e6;
    if (lateMs > this.stats.maxLateMs) this.stats.maxLateMs = lateMs;
    if (due <= 1 || due <= this.maxCatchUpTicks) {
      const n = Math.max(1, due);
      for (let i = 0; i < n; i++) this.runTick(0);
      this.stats.caughtUp += n - 1;
    } else {
      this.stats.skipped += due - 1;
      this.tickIndex += due - 1;
      this.runTick(due - 1);
    }
    if (this.listeners.length > 0) this.schedule();
  };

  private runTick(skipped: number): void {
    this.tickIndex++;
    this.stats.ticks++;
    const ls = this.listeners;
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
  }
}
