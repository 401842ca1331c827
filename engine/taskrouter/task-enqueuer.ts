import type { Logger } from 'pino';
import type { DequeueOutcome, DequeueRequest, EnqueueOutcome, EnqueueRequest } from '../../instructions/runtime/call-control.js';
import type { QueueKeeper } from '../calls/sip-call-base.js';
import type { QueueService } from '../queues/queue-service.js';
import type { CallTasks } from './call-tasks.js';

type EnqueuedCall = Parameters<QueueKeeper['enqueue']>[0] & { params?: () => Readonly<Record<string, string>> };

/** What a task made of a call carries besides the application's attributes (Twilio's names). */
function callAttributes(callSid: string, accountSid: string, p: Readonly<Record<string, string>>): Record<string, string> {
  const pick = (k: string): string | undefined => p[k];
  const out: Record<string, string> = { call_sid: callSid, account_sid: accountSid };
  for (const [key, param] of [
    ['from', 'From'],
    ['to', 'To'],
    ['caller', 'Caller'],
    ['called', 'Called'],
    ['direction', 'Direction'],
    ['call_status', 'CallStatus'],
    ['api_version', 'ApiVersion'],
  ] as const) {
    const v = pick(param);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/**
 * <Enqueue workflowSid> and <Dial><Queue reservationSid>: the call queues
 * with TaskRouter in front. An Enqueue with a workflow makes a task of the
 * call (the <Task> attributes with the call's: call_sid, from, to, ...) and
 * the caller waits in the workflow's queue while the task is routed; when
 * it leaves without a worker (hangup, Leave, redirect) the task is canceled,
 * and a task canceled by TaskRouter (REST, time to live) takes its caller
 * out with QueueResult leave (`taskEnded`). A Queue noun with a reservation
 * takes that reservation's call, accepts the reservation, and when the
 * bridge ends the task wraps up and the worker moves to its post-work
 * activity. TaskRouter may run on another engine of the cluster: `tasks`
 * reaches it.
 */
export class TaskEnqueuer implements QueueKeeper {
  /** Task sid -> its waiting call. */
  private readonly waiting = new Map<string, { accountSid: string; callSid: string }>();

  constructor(
    private readonly queues: QueueService,
    private readonly tasks: CallTasks,
    private readonly log: Logger,
  ) {}

  /** A task ended without a worker (canceled, timed out): its caller, when waiting here, leaves the queue. */
  taskEnded(taskSid: string): void {
    const call = this.waiting.get(taskSid);
    if (!call) return;
    this.waiting.delete(taskSid);
    this.queues.leaveCall(call.accountSid, call.callSid, 'leave');
  }

  async enqueue(call: EnqueuedCall, req: EnqueueRequest): Promise<EnqueueOutcome> {
    if (req.workflowSid === undefined) return this.queues.enqueue(call, req);
    let own: Record<string, unknown>;
    try {
      own = JSON.parse(req.task?.attributes ?? '{}') as Record<string, unknown>;
    } catch {
      call.control.log.warn({ workflowSid: req.workflowSid }, '<Enqueue><Task> attributes are not JSON');
      return { result: 'system-error', queueTime: 0 };
    }
    const attributes = JSON.stringify({ ...own, ...callAttributes(call.callSid, call.accountSid, call.params?.() ?? {}) });
    let made;
    try {
      made = await this.tasks.createTask({
        accountSid: call.accountSid,
        workflowSid: req.workflowSid,
        attributes,
        ...(req.task?.priority !== undefined ? { priority: req.task.priority } : {}),
        ...(req.task?.timeout !== undefined ? { timeout: req.task.timeout } : {}),
      });
    } catch (err) {
      call.control.log.warn({ workflowSid: req.workflowSid, reason: (err as Error).message }, '<Enqueue> could not reach TaskRouter');
      return { result: 'system-error', queueTime: 0 };
    }
    if ('refused' in made) {
      call.control.log.warn({ workflowSid: req.workflowSid, reason: made.reason }, '<Enqueue> could not make a task of the call');
      return { result: made.refused === 'no-workflow' ? 'error' : 'system-error', queueTime: 0 };
    }
    const { taskSid } = made;
    call.control.log.info({ taskSid, workflowSid: req.workflowSid }, 'call enqueued as a TaskRouter task');
    this.waiting.set(taskSid, { accountSid: call.accountSid, callSid: call.callSid });
    const out = await this.queues.enqueue(call, { ...req, queueName: req.queueName || req.workflowSid });
    // Still waiting: the caller left without a worker (a bridged caller was taken by takeReservation).
    if (this.waiting.delete(taskSid)) {
      const reason = out.result === 'hangup' ? 'hangup' : out.result === 'leave' ? 'leave' : `caller left the queue (${out.result})`;
      await this.tasks.leftQueue(call.accountSid, taskSid, reason).catch((err: Error) => this.log.warn({ taskSid, reason: err.message }, 'the task of a caller who left could not be canceled'));
    }
    return out;
  }

  async dequeue(accountSid: string, dialer: string, req: DequeueRequest): Promise<DequeueOutcome> {
    if (req.reservationSid === undefined) return this.queues.dequeue(accountSid, dialer, req);
    const reservationSid = req.reservationSid;
    const taken = await this.tasks.takeReservation(accountSid, reservationSid).catch((err: Error) => ({ error: err.message }));
    if ('error' in taken) {
      this.log.warn({ reservationSid, reason: taken.error }, '<Dial><Queue reservationSid> found no call');
      return { status: 'no-queue' };
    }
    this.waiting.delete(taken.taskSid);
    const out = this.queues.takeCall(accountSid, taken.callSid, dialer);
    if ('status' in out) return out;
    const release = out.caller.release;
    return {
      caller: {
        ...out.caller,
        release: (result) => {
          release(result);
          void this.tasks.bridgeEnded(accountSid, reservationSid, req.postWorkActivitySid).catch((err: Error) => this.log.warn({ reservationSid, reason: err.message }, 'the end of a bridge could not be told to TaskRouter'));
        },
      },
    };
  }
}
