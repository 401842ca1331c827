/**
 * Transaction timer values (RFC 3261 §17.1.1.1, Table 4 in Appendix A;
 * RFC 6026 §8.4 for Timers L and M).
 */
export interface TransactionTimers {
  /** RTT estimate, default 500 ms (§17.1.1.1). */
  t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  t2: number;
  /** Maximum time a message remains in the network, default 5 s. */
  t4: number;
  /** Timer D on unreliable transports: "at least 32 seconds" (§17.1.1.2). Default 32 s. */
  d: number;
}

export const DEFAULT_TIMERS: Readonly<TransactionTimers> = Object.freeze({
  t1: 500,
  t2: 4000,
  t4: 5000,
  d: 32_000,
});

/** Every timer duration the transactions use, derived once from T1/T2/T4. */
export interface TimerValues extends TransactionTimers {
  /** 64*T1: Timers B, F, H, J (unreliable), L, M, and the 2xx give-up of §13.3.1.4. */
  t1x64: number;
}

/** Merges a partial configuration over the defaults and checks it. */
export function resolveTimers(config: Partial<TransactionTimers> = {}): TimerValues {
  const merged: TransactionTimers = { ...DEFAULT_TIMERS };
  for (const key of ['t1', 't2', 't4', 'd'] as const) {
    const v = config[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new RangeError(`transaction timer ${key} must be a positive number of milliseconds, got ${String(v)}`);
    }
    merged[key] = v;
  }
  if (merged.t2 < merged.t1) {
    throw new RangeError(`transaction timer t2 (${merged.t2} ms) must not be smaller than t1 (${merged.t1} ms)`);
  }
  return { ...merged, t1x64: 64 * merged.t1 };
}
