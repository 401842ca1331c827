import type { CallSession } from './call-session.js';

/**
 * Where live calls are kept, by CallSid. In memory for one engine process;
 * a shared store (Redis) implements the same interface for a cluster.
 */
export interface CallStore {
  add(call: CallSession): Promise<void>;
  get(callSid: string): Promise<CallSession | undefined>;
  remove(callSid: string): Promise<void>;
  list(): Promise<CallSession[]>;
  size(): Promise<number>;
}

export class MemoryCallStore implements CallStore {
  private readonly calls = new Map<string, CallSession>();

  add(call: CallSession): Promise<void> {
    this.calls.set(call.sid, call);
    return Promise.resolve();
  }

  get(callSid: string): Promise<CallSession | undefined> {
    return Promise.resolve(this.calls.get(callSid));
  }

  remove(callSid: string): Promise<void> {
    this.calls.delete(callSid);
    return Promise.resolve();
  }

  list(): Promise<CallSession[]> {
    return Promise.resolve([...this.calls.values()]);
  }

  size(): Promise<number> {
    return Promise.resolve(this.calls.size);
  }

  /** Synchronous count, for stats. */
  get count(): number {
    return this.calls.size;
  }
}
