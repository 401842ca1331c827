import type { Logger } from 'pino';
import type { DequeueOutcome, DequeueRequest, EnqueueOutcome, EnqueueRequest } from '../../instructions/runtime/call-control.js';
import type { QueueKeeper } from '../calls/sip-call-base.js';
import type { QueueService } from '../queues/queue-service.js';
import { TaskRouterError } from './errors.js';
import type { TaskRouterService } from './taskrouter-service.js';

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
 * out with QueueResult leave. A Queue noun with a reservation takes that
 * reservation's call, accepts the reservation, and when the bridge ends the
 * task wraps up and the worker moves to its post-work activity.
 */
export class TaskEnqueuer implements QueueKeeper {
  /** Task sid -> its waiting call. */
  private readonly waiting = new Map<string, { accountSid: string; callSid: string }>();

  constructor(
    private readonly queues: QueueService,
    private readonly taskRouter: TaskRouterService,
    private readonly log: Logger,
  ) {
    taskRouter.instructions.onTaskEnded((task) => {
      const call = this.waiting.get(task.sid);
      if (!call) return;
      this.waiting.delete(task.sid);
      this.queues.leaveCall(call.accountSid, call.callSid, 'leave');
    });
  }

  async enqueue(call: EnqueuedCall, req: EnqueueRequest): Promise<EnqueueOutcome> {
    if (req.workflowSid === undefined) return this.queues.enqueue(call, req);
    const entry = this.taskRouter.findWorkflow(call.accountSid, req.workflowSid);
    if (!entry) {
      call.control.log.warn({ workflowSid: req.workflowSid }, '<Enqueue> names a Workflow this account does not have');
      return { result: 'error', queueTime: 0 };
    }
    let taskSid: string;
    try {
      const own = JSON.parse(req.task?.attributes ?? '{}') as Record<string, unknown>;
      const attributes = JSON.stringify({ ...own, ...callAttributes(call.callSid, call.accountSid, call.params?.() ?? {}) });
      const t = entry.ws.createTask(call.accountSid, {
        attributes,
        workflowSid: req.workflowSid,
        taskChannel: 'voice',
        ...(req.task?.priority !== undefined ? { priority: req.task.priority } : {}),
        ...(req.task?.timeout !== undefined ? { timeout: req.task.timeout } : {}),
      });
      taskSid = t.record.sid;
    } catch (err) {
      const reason = err instanceof TaskRouterError ? err.message : String(err);
      call.control.log.warn({ workflowSid: req.workflowSid, reason }, '<Enqueue> could not make a task of the call');
      return { result: 'system-error', queueTime: 0 };
    }
    call.control.log.info({ taskSid, workflowSid: req.workflowSid }, 'call enqueued as a TaskRouter task');
    this.waiting.set(taskSid, { accountSid: call.accountSid, callSid: call.callSid });
    const out = await this.queues.enqueue(call, { ...req, queueName: req.queueName || req.workflowSid });
    const stillWaiting = this.waiting.delete(taskSid);
    const t = entry.ws.state.tasks.get(taskSid);
    if (stillWaiting && t && (t.record.assignmentStatus === 'pending' || t.record.assignmentStatus === 'reserved')) {
      entry.ws.cancelTask(t, out.result === 'hangup' ? 'hangup' : out.result === 'leave' ? 'leave' : `caller left the queue (${out.result})`);
    }
    return out;
  }

  async dequeue(accountSid: string, dialer: string, req: DequeueRequest): Promise<DequeueOutcome> {
    if (req.reservationSid === undefined) return this.queues.dequeue(accountSid, dialer, req);
    const taken = this.taskRouter.instructions.takeReservation(accountSid, req.reservationSid);
    if ('error' in taken) {
      this.log.warn({ reservationSid: req.reservationSid, reason: taken.error }, '<Dial><Queue reservationSid> found no call');
      return { status: 'no-queue' };
    }
    this.waiting.delete(taken.taskSid);
    const out = this.queues.takeCall(accountSid, taken.callSid, dialer);
    if ('status' in out) return out;
    const reservationSid = req.reservationSid;
    const release = out.caller.release;
    return {
      caller: {
        ...out.caller,
        release: (result) => {
          release(result);
          this.taskRouter.instructions.bridgeEnded(accountSid, reservationSid, req.postWorkActivitySid);
        },
      },
    };
  }
}
