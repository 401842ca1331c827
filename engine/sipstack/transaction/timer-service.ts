/**
 * One scheduler for every protocol timer of the SIP stack (RFC 3261 §17
 * timers A..M and the §13.3.1.4 2xx retransmission).
 *
 * Transactions do not arm Node timers of their own: they put entries in a
 * binary min-heap ordered by due time, and a single Node timer is armed for
 * the earliest entry. Scheduling and cancelling are O(log n); a cancelled
 * entry leaves the heap at once (each entry knows its heap position), so the
 * heap holds exactly the live timers and memory stays flat under load.
 *
 * The clock is injectable: production uses the system clock, tests use a
 * manual clock and advance time without sleeping.
 */

/** What the scheduler needs from time: a monotonic "now" and one wake-up. */
export interface Clock {
  /** Milliseconds on a monotonic scale (any origin). */
  now(): number;
  /** Arranges for `fire` to be called after about `delayMs`; returns a token for clearWakeup. */
  setWakeup(fire: () => void, delayMs: number): unknown;
  clearWakeup(token: unknown): void;
}

/** The process clock: performance.now() and one unref'd Node timer. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setWakeup(fire, delayMs) {
    const t = setTimeout(fire, Math.min(Math.max(0, delayMs), 0x7fffffff));
    // Protocol timers alone never keep the process alive; sockets do.
    t.unref();
    return t;
  },
  clearWakeup(token) {
    clearTimeout(token as ReturnType<typeof setTimeout>);
  },
};

/** An entry in the scheduler; pass it to cancel(). Opaque to callers. */
export interface TimerHandle {
  readonly due: number;
}

export interface TimerService {
  /** Calls `callback` once, `delayMs` from now (0 or less: at the next run of due timers). */
  schedule(delayMs: number, callback: () => void): TimerHandle;
  /** Stops a pending timer; harmless for one that already fired or was cancelled. */
  cancel(handle: TimerHandle | undefined): void;
  /** Number of pending timers. */
  readonly size: number;
  /** Cancels everything and releases the Node timer. */
  stop(): void;
}

/** Called when a timer callback throws; the scheduler itself keeps going. */
export type TimerErrorHandler = (err: unknown) => void;

class HeapEntry implements TimerHandle {
  /** Position in the heap array, -1 once fired or cancelled. */
  index = -1;
  constructor(
    readonly due: number,
    readonly seq: number,
    public callback: (() => void) | undefined,
  ) {}
}

/** Binary min-heap of timers driven by a single wake-up of the clock. */
export class HeapTimerService implements TimerService {
  private readonly heap: HeapEntry[] = [];
  private seq = 0;
  private wakeupToken: unknown = undefined;
  /** Due time the wake-up is armed for; Infinity when none is armed. */
  private wakeupAt = Number.POSITIVE_INFINITY;
  private running = false;

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly onError: TimerErrorHandler = (err) => {
      queueMicrotask(() => {
        throw err;
      });
    },
  ) {}

  get size(): number {
    return this.heap.length;
  }

  schedule(delayMs: number, callback: () => void): TimerHandle {
    const delay = Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0;
    const entry = new HeapEntry(this.clock.now() + delay, this.seq++, callback);
    this.push(entry);
    if (!this.running && entry.due < this.wakeupAt) this.arm();
    return entry;
  }

  cancel(handle: TimerHandle | undefined): void {
    if (!(handle instanceof HeapEntry) || handle.index < 0) return;
    this.removeAt(handle.index);
    handle.callback = undefined;
    // The wake-up may now be early; it will simply find nothing due and re-arm.
    if (this.heap.length === 0) this.disarm();
  }

  stop(): void {
    for (const e of this.heap) {
      e.index = -1;
      e.callback = undefined;
    }
    this.heap.length = 0;
    this.disarm();
  }

  /** Runs every timer whose due time has come, then re-arms for the next one. */
  private fire = (): void => {
    this.wakeupToken = undefined;
    this.wakeupAt = Number.POSITIVE_INFINITY;
    this.running = true;
    try {
      const now = this.clock.now();
      while (this.heap.length > 0 && this.heap[0].due <= now) {
        const entry = this.heap[0];
        this.removeAt(0);
        const cb = entry.callback;
        entry.callback = undefined;
        if (!cb) continue;
        try {
          cb();
        } catch (err) {
          this.onError(err);
        }
      }
    } finally {
      this.running = false;
      this.arm();
    }
  };

  private arm(): void {
    this.disarm();
    if (this.heap.length === 0) return;
    const due = this.heap[0].due;
    this.wakeupAt = due;
    this.wakeupToken = this.clock.setWakeup(this.fire, due - this.clock.now());
  }

  private disarm(): void {
    if (this.wakeupToken !== undefined) this.clock.clearWakeup(this.wakeupToken);
    this.wakeupToken = undefined;
    this.wakeupAt = Number.POSITIVE_INFINITY;
  }

  // --- heap primitives ---------------------------------------------------

  private less(a: HeapEntry, b: HeapEntry): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private place(entry: HeapEntry, i: number): void {
    this.heap[i] = entry;
    entry.index = i;
  }

  private push(entry: HeapEntry): void {
    this.place(entry, this.heap.length);
    this.siftUp(entry.index);
  }

  private removeAt(i: number): void {
    const heap = this.heap;
    const removed = heap[i];
    const last = heap.pop() as HeapEntry;
    removed.index = -1;
    if (i < heap.length) {
      this.place(last, i);
      if (i > 0 && this.less(last, heap[(i - 1) >> 1])) this.siftUp(i);
      else this.siftDown(i);
    }
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const entry = heap[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(entry, heap[parent])) break;
      this.place(heap[parent], i);
      i = parent;
    }
    this.place(entry, i);
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const entry = heap[i];
    while (true) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && this.less(heap[r], heap[l]) ? r : l;
      if (!this.less(heap[child], entry)) break;
      this.place(heap[child], i);
      i = child;
    }
    this.place(entry, i);
  }
}

/**
 * A clock that only moves when told to: tests schedule protocol timers and
 * call advance() instead of sleeping. The single wake-up fires synchronously
 * inside advance(), at its exact due time.
 */
export class ManualClock implements Clock {
  private current: number;
  private pending: { at: number; fire: () => void; token: number } | undefined;
  private nextToken = 1;

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setWakeup(fire: () => void, delayMs: number): unknown {
    const token = this.nextToken++;
    this.pending = { at: this.current + Math.max(0, delayMs), fire, token };
    return token;
  }

  clearWakeup(token: unknown): void {
    if (this.pending?.token === token) this.pending = undefined;
  }

  /** Moves time forward by `ms`, firing every wake-up that falls due on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    while (this.pending && this.pending.at <= target) {
      const { at, fire } = this.pending;
      this.pending = undefined;
      this.current = Math.max(this.current, at);
      fire();
    }
    this.current = target;
  }
}
