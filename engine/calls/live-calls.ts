import type { DocumentSource } from '../../instructions/runtime/call-control.js';
import type { CallbackChanges } from '../api/call-service.js';
import type { CallRecordings } from '../recordings/call-recordings.js';
import type { CallSession } from './call-session.js';

/** A call in progress, as a program (the REST API) or the engine may act on it. */
export interface LiveCall {
  readonly session: CallSession;
  /** Resolves once the call has ended and been cleaned up. */
  readonly done: Promise<void>;
  /** New instructions at once; false when this call runs no documents (a Dial leg). */
  redirect(to: DocumentSource): boolean;
  /** New fallback / status callback URLs from now on; absent when the call runs no documents of its own (a Dial leg). */
  updateCallbacks?(changes: CallbackChanges): void;
  /** The recordings programs start and control on the call; undefined until its control exists (a REST call not answered yet). */
  recordings(): CallRecordings | undefined;
  /** Ends the call: 'canceled' only while it is not answered, 'completed' always. */
  end(status: 'completed' | 'canceled'): Promise<void>;
  /** The engine is stopping: end the call now. */
  shutdown(): Promise<void>;
}

/** The calls in progress in this engine, by CallSid. */
export class LiveCalls {
  private readonly calls = new Map<string, LiveCall>();
  private total = 0;
  private emptied: (() => void)[] = [];
  /** Set while the engine drains: no new calls are taken. */
  draining = false;

  /** Tracks a call until its `done` settles. */
  add(call: LiveCall): void {
    this.total++;
    this.calls.set(call.session.sid, call);
    void call.done.finally(() => {
      if (this.calls.get(call.session.sid) === call) this.calls.delete(call.session.sid);
      if (this.calls.size === 0) for (const resolve of this.emptied.splice(0)) resolve();
    });
  }

  get(callSid: string): LiveCall | undefined {
    return this.calls.get(callSid);
  }

  values(): LiveCall[] {
    return [...this.calls.values()];
  }

  /** Resolves once no call is in progress. */
  whenEmpty(): Promise<void> {
    if (this.calls.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptied.push(resolve));
  }

  get size(): number {
    return this.calls.size;
  }

  /** Calls tracked since start. */
  get totalCalls(): number {
    return this.total;
  }
}
