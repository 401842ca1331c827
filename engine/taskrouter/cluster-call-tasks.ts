import type { Logger } from 'pino';
import { ErrorCode } from '../api/api-errors.js';
import { ApiError } from '../api/call-service.js';
import { BusRequests } from '../cluster/bus-requests.js';
import type { StateStore } from '../store/types.js';
import type { CallTaskMade, CallTaskRequest, CallTasks, LocalCallTasks, ReservationTaken } from './call-tasks.js';
import type { DequeueCall, TaskCalls } from './task-calls.js';

/**
 * TaskRouter's calls on a cluster. One engine runs the workspaces (the
 * holder of the `taskrouter` lease); a caller may be on any engine, and a
 * caller's queue is its engine's. So a caller's engine asks the holder for
 * its task (create, left the queue, take a reservation, bridge ended), and
 * the holder has the caller's engine place the worker's call of a dequeue
 * instruction, whose <Dial><Queue reservationSid> then finds the caller in
 * a queue of its own engine. A task that ends without a worker is told to
 * every engine (`TASK_ENDED`): the one with its caller takes it out.
 */

type Ask =
  | { kind: 'create-task'; req: CallTaskRequest }
  | { kind: 'left-queue'; accountSid: string; taskSid: string; reason: string }
  | { kind: 'take-reservation'; accountSid: string; reservationSid: string }
  | { kind: 'bridge-ended'; accountSid: string; reservationSid: string; postWorkActivitySid?: string }
  | { kind: 'dequeue'; req: DequeueCall };

type Outcome = 'answered' | 'not-answered';

const ASK_TIMEOUT_MS = 5000;
/** A worker's call rings for at most 600 s (TaskRouter's dequeue timeout): its outcome is waited for that long and a little more. */
const OUTCOME_TIMEOUT_MS = 630_000;
/** The bus channel of tasks ended without a worker (a task sid each). */
export const TASK_ENDED = 'taskrouter-task-ended';

export interface Holder {
  /** Whether this engine runs the workspaces now. */
  here(): boolean;
  /** The engine that does; undefined while none does. */
  current(): Promise<string | undefined>;
}

export class ClusterCallTasks implements CallTasks {
  private readonly asks: BusRequests<Ask, unknown>;
  private readonly outcomes: BusRequests<{ callSid: string }, Outcome>;
  /** Worker calls this engine placed for the holder: call sid -> whether the worker answered. */
  private readonly placed = new Map<string, Promise<Outcome>>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly state: StateStore,
    private readonly engineId: string,
    private readonly local: LocalCallTasks,
    private readonly localCalls: TaskCalls,
    private readonly holder: Holder,
    private readonly log: Logger,
  ) {
    this.asks = new BusRequests(state.bus, 'taskrouter-calls', engineId, log, ASK_TIMEOUT_MS);
    this.outcomes = new BusRequests(state.bus, 'taskrouter-outcomes', engineId, log, OUTCOME_TIMEOUT_MS);
  }

  /** Answers the other engines' asks, and hands tasks ended anywhere to `taskEnded`. */
  async start(taskEnded: (taskSid: string) => void): Promise<void> {
    await this.asks.start((ask) => this.answer(ask));
    await this.outcomes.start(async ({ callSid }) => (await this.placed.get(callSid)) ?? 'not-answered');
    this.unsubscribe = await this.state.bus.subscribe(TASK_ENDED, taskEnded);
  }

  /** A task ended without a worker, on this engine (the holder): every engine hears of it. */
  announceTaskEnded(taskSid: string): void {
    this.state.bus.publish(TASK_ENDED, taskSid);
  }

  close(): void {
    this.asks.close();
    this.outcomes.close();
    this.unsubscribe?.();
  }

  createTask(req: CallTaskRequest): Promise<CallTaskMade> {
    return this.ask({ kind: 'create-task', req }) as Promise<CallTaskMade>;
  }

  async leftQueue(accountSid: string, taskSid: string, reason: string): Promise<void> {
    await this.ask({ kind: 'left-queue', accountSid, taskSid, reason });
  }

  takeReservation(accountSid: string, reservationSid: string): Promise<ReservationTaken> {
    return this.ask({ kind: 'take-reservation', accountSid, reservationSid }) as Promise<ReservationTaken>;
  }

  async bridgeEnded(accountSid: string, reservationSid: string, postWorkActivitySid?: string): Promise<void> {
    await this.ask({ kind: 'bridge-ended', accountSid, reservationSid, ...(postWorkActivitySid !== undefined ? { postWorkActivitySid } : {}) });
  }

  /**
   * The holder's dequeue: the worker's call is placed by the engine that
   * has the task's caller (this one when it does, or when the call's
   * record does not say).
   */
  async dequeue(req: DequeueCall): Promise<{ callSid: string; outcome: Promise<Outcome> }> {
    const owner = (await this.state.calls.get(req.taskCallSid).catch(() => undefined))?.engineId;
    if (owner === undefined || owner === this.engineId) return this.localCalls.dequeue(req);
    const { callSid } = (await this.asks.send(owner, { kind: 'dequeue', req }, `call ${req.taskCallSid}`)) as { callSid: string };
    const outcome = this.outcomes.send(owner, { callSid }, `call ${callSid}`).catch((err: Error) => {
      this.log.warn({ callSid, owner, reason: err.message }, "the engine of a worker's call did not tell whether it was answered");
      return 'not-answered' as const;
    });
    return { callSid, outcome };
  }

  /** To the holder, or answered here when this engine is it. */
  private async ask(ask: Exclude<Ask, { kind: 'dequeue' }>): Promise<unknown> {
    if (this.holder.here()) return this.answer(ask);
    const target = await this.holder.current();
    if (target === undefined) throw new ApiError(503, ErrorCode.ServiceUnavailable, 'TaskRouter is starting on another engine; try again');
    return this.asks.send(target, ask, 'TaskRouter');
  }

  private async answer(ask: Ask): Promise<unknown> {
    if (ask.kind === 'dequeue') {
      const placed = await this.localCalls.dequeue(ask.req);
      this.placed.set(placed.callSid, placed.outcome);
      void placed.outcome.finally(() => setTimeout(() => this.placed.delete(placed.callSid), 60_000).unref());
      return { callSid: placed.callSid };
    }
    if (!this.holder.here()) throw new ApiError(503, ErrorCode.ServiceUnavailable, 'TaskRouter is moving to another engine; try again');
    switch (ask.kind) {
      case 'create-task':
        return this.local.createTask(ask.req);
      case 'left-queue':
        return this.local.leftQueue(ask.accountSid, ask.taskSid, ask.reason);
      case 'take-reservation':
        return this.local.takeReservation(ask.accountSid, ask.reservationSid);
      case 'bridge-ended':
        return this.local.bridgeEnded(ask.accountSid, ask.reservationSid, ask.postWorkActivitySid);
    }
  }
}
