import type { CallSession } from './call-session.js';

/**
 * Where calls are kept, by CallSid: live calls, and ended ones for a while
 * so that the REST API can still show them. In memory for one engine
 * process; a shared store (Redis) implements the same interface for a
 * cluster.
 */
export interface CallStore {
  add(call: CallSession): Promise<void>;
  get(callSid: string): Promise<CallSession | undefined>;
  /** The call ended: it leaves the live calls and joins the history. */
  ended(call: CallSession): Promise<void>;
  remove(callSid: string): Promise<void>;
  /** Live and remembered calls. */
  list(): Promise<CallSession[]>;
  /** Live calls. */
  size(): Promise<number>;
}

/** Ended calls remembered by default. */
export const DEFAULT_CALL_HISTORY = 10_000;

export class MemoryCallStore implements CallStore {
  private readonly live = new Map<string, CallSession>();
  /** Ended calls, oldest first (Map keeps insertion order). */
  private readonly history = new Map<string, CallSession>();

  constructor(private readonly maxEnded = DEFAULT_CALL_HISTORY) {}

  add(call: CallSession): Promise<void> {
    this.live.set(call.sid, call);
    return Promise.resolve();
  }

  get(callSid: string): Promise<CallSession | undefined> {
    return Promise.resolve(this.live.get(callSid) ?? this.history.get(callSid));
  }

  ended(call: CallSession): Promise<void> {
    this.live.delete(call.sid);
    if (this.maxEnded > 0) {
      this.history.set(call.sid, call);
      while (this.history.size > this.maxEnded) {
        const oldest = this.history.keys().next().value;
        if (oldest === undefined) break;
        this.history.delete(oldest);
      }
    }
    return Promise.resolve();
  }

  remove(callSid: string): Promise<void> {
    this.live.delete(callSid);
    this.history.delete(callSid);
    return Promise.resolve();
  }

  list(): Promise<CallSession[]> {
    return Promise.resolve([...this.live.values(), ...this.history.values()]);
  }

  size(): Promise<number> {
    return Promise.resolve(this.live.size);
  }

  /** Synchronous count of live calls, for stats. */
  get count(): number {
    return this.live.size;
  }
}
