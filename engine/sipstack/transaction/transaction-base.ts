/**
 * What every transaction kind shares: an explicit state machine that refuses
 * illegal transitions, named timers on the shared TimerService (all cleared on
 * termination), sending through the transports with failures reported as
 * transport errors (RFC 3261 §17.1.4, §17.2.4), and a guard that turns any
 * internal error into a log line and a terminated transaction instead of an
 * exception that could take the process down.
 */
import type { SipMessage } from '../message/sip-message.js';
import type { MessageSender, SendTarget } from '../transport/types.js';
import type { TimerHandle, TimerService } from './timer-service.js';
import type { TimerValues } from './transaction-timers.js';

/** The subset of a pino logger the transaction layer writes to. */
export interface TransactionLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A state change the RFC does not allow: a defect in the stack, never caused by the network. */
export class IllegalTransitionError extends Error {
  constructor(kind: string, from: string, to: string) {
    super(`${kind} transaction: illegal transition ${from} -> ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/** What the transaction layer gives each transaction. */
export interface TransactionContext {
  readonly sender: MessageSender;
  readonly timers: TimerService;
  readonly values: TimerValues;
  readonly logger: TransactionLogger;
  /** Called once when a transaction reaches Terminated, to drop it from the layer's maps. */
  terminated(tx: Transaction<string>): void;
  /** Counts kept for metrics (the layer's); none in a context built without them. */
  readonly tallies?: TransactionTallies;
}

/** Transactions created and messages retransmitted since start. */
export interface TransactionTallies {
  clientCreated: number;
  serverCreated: number;
  /** Requests and responses this side sent again (timers A, E, G, the 2xx retransmissions, a response repeated for a retransmitted request). */
  retransmissionsSent: number;
  /** Requests that arrived again for a live server transaction (ACKs not counted). */
  retransmissionsReceived: number;
}

export type TransactionKind = 'client-invite' | 'client-non-invite' | 'server-invite' | 'server-non-invite';

export abstract class Transaction<S extends string> {
  abstract readonly kind: TransactionKind;
  private current: S;
  private readonly handles = new Map<string, TimerHandle>();
  private done = false;

  protected constructor(
    protected readonly ctx: TransactionContext,
    /** The key the layer files this transaction under. */
    readonly id: string,
    /** Call-ID, for log lines. */
    readonly callId: string,
    initial: S,
    private readonly legal: Readonly<Record<S, readonly S[]>>,
    private readonly terminatedState: S,
  ) {
    this.current = initial;
  }

  get state(): S {
    return this.current;
  }

  get isTerminated(): boolean {
    return this.done;
  }

  /** Moves to `to`, throwing IllegalTransitionError when the state table forbids it. */
  protected transition(to: S): void {
    if (!this.legal[this.current].includes(to)) {
      throw new IllegalTransitionError(this.kind, this.current, to);
    }
    this.current = to;
    if (to === this.terminatedState) this.finish();
  }

  /** Ends the transaction from whatever state it is in (timers cleared, layer told). */
  protected terminate(): void {
    if (this.done) return;
    if (this.current !== this.terminatedState) this.transition(this.terminatedState);
    else this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    for (const h of this.handles.values()) this.ctx.timers.cancel(h);
    this.handles.clear();
    this.onTerminated();
    this.ctx.terminated(this);
  }

  /** Hook for subclasses: release what they hold when the transaction ends. */
  protected onTerminated(): void {}

  /** Arms (or re-arms) the named timer on the shared scheduler. */
  protected startTimer(name: string, delayMs: number, fire: () => void): void {
    this.stopTimer(name);
    if (this.done) return;
    const handle = this.ctx.timers.schedule(delayMs, () => {
      this.handles.delete(name);
      if (this.done) return;
      this.guard(`timer ${name}`, fire);
    });
    this.handles.set(name, handle);
  }

  protected stopTimer(name: string): void {
    const h = this.handles.get(name);
    if (h === undefined) return;
    this.ctx.timers.cancel(h);
    this.handles.delete(name);
  }

  /** Number of timers this transaction holds (for tests and leak checks). */
  get activeTimers(): number {
    return this.handles.size;
  }

  /**
   * Passes a message to the transports. A failure (rejected promise or a
   * synchronous throw) is a transport error for this transaction.
   */
  protected transmit(message: SipMessage, target: SendTarget): void {
    let sent: Promise<void>;
    try {
      sent = this.ctx.sender.send(message, target);
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.catch((err: unknown) => {
      if (this.done) return;
      this.guard('transport error', () => this.onTransportFailure(toError(err)));
    });
  }

  /** transmit() of a message sent before, counted as a retransmission. */
  protected retransmit(message: SipMessage, target: SendTarget): void {
    if (this.ctx.tallies) this.ctx.tallies.retransmissionsSent++;
    this.transmit(message, target);
  }

  /** §17.1.4 / §17.2.4: inform the TU and terminate. */
  protected abstract onTransportFailure(err: Error): void;

  /**
   * Runs `fn`; an exception is an internal defect: it is logged and the
   * transaction is terminated so it cannot linger in a broken state.
   */
  guard(what: string, fn: () => void): void {
    this.guarded(what, fn, undefined);
  }

  /** Like guard(), returning fn's value, or `fallback` after an internal error. */
  guarded<T>(what: string, fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (err) {
      this.ctx.logger.error(
        { err, callId: this.callId, transaction: this.id, kind: this.kind, state: this.current },
        `internal error in SIP transaction (${what})`,
      );
      try {
        this.terminate();
      } catch {
        this.forceTerminate();
      }
      return fallback;
    }
  }

  /** Ends the transaction at once, e.g. when the layer is destroyed. Users hear only onTerminated. */
  abandon(): void {
    this.terminate();
  }

  /** Last resort when even terminate() failed: drop timers and maps without the state table. */
  private forceTerminate(): void {
    this.current = this.terminatedState;
    this.finish();
  }

  /** Calls a transaction user's callback; its exceptions are the TU's, logged and contained. */
  protected notify(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.ctx.logger.error({ err, callId: this.callId, transaction: this.id }, `transaction user handler ${what} threw`);
    }
  }
}

export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
