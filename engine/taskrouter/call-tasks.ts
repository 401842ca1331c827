import { TaskRouterError } from './errors.js';
import type { TaskRouterService } from './taskrouter-service.js';

/** The task <Enqueue workflowSid><Task> asks for. */
export interface CallTaskRequest {
  accountSid: string;
  workflowSid: string;
  /** The task's attributes, JSON (the application's and the call's). */
  attributes: string;
  priority?: number;
  timeout?: number;
}

export type CallTaskMade = { taskSid: string } | { refused: 'no-workflow' | 'invalid'; reason: string };
export type ReservationTaken = { callSid: string; taskSid: string } | { error: string };

/**
 * What the calls ask of TaskRouter: make a task of a caller, say the caller
 * left its queue, take a reservation's call for a worker's <Dial><Queue>,
 * say the bridge ended. Asynchronous, as it is answered by the engine of
 * the cluster that runs the workspaces (cluster-call-tasks.ts); here, by
 * this engine's own service.
 */
export interface CallTasks {
  createTask(req: CallTaskRequest): Promise<CallTaskMade>;
  /** The caller left its queue without a worker: its task is canceled while it is still pending or reserved. */
  leftQueue(accountSid: string, taskSid: string, reason: string): Promise<void>;
  takeReservation(accountSid: string, reservationSid: string): Promise<ReservationTaken>;
  bridgeEnded(accountSid: string, reservationSid: string, postWorkActivitySid?: string): Promise<void>;
}

/** CallTasks answered by this engine's TaskRouter. */
export class LocalCallTasks implements CallTasks {
  constructor(private readonly service: TaskRouterService) {}

  async createTask(req: CallTaskRequest): Promise<CallTaskMade> {
    const entry = this.service.findWorkflow(req.accountSid, req.workflowSid);
    if (!entry) return { refused: 'no-workflow', reason: `Workflow ${req.workflowSid} is not one of the account's` };
    try {
      const t = entry.ws.createTask(req.accountSid, {
        attributes: req.attributes,
        workflowSid: req.workflowSid,
        taskChannel: 'voice',
        ...(req.priority !== undefined ? { priority: req.priority } : {}),
        ...(req.timeout !== undefined ? { timeout: req.timeout } : {}),
      });
      return { taskSid: t.record.sid };
    } catch (err) {
      if (err instanceof TaskRouterError) return { refused: 'invalid', reason: err.message };
      throw err;
    }
  }

  async leftQueue(accountSid: string, taskSid: string, reason: string): Promise<void> {
    const entry = this.service.findTask(accountSid, taskSid);
    const t = entry?.ws.state.tasks.get(taskSid);
    if (entry && t && (t.record.assignmentStatus === 'pending' || t.record.assignmentStatus === 'reserved')) entry.ws.cancelTask(t, reason);
  }

  async takeReservation(accountSid: string, reservationSid: string): Promise<ReservationTaken> {
    return this.service.instructions.takeReservation(accountSid, reservationSid);
  }

  async bridgeEnded(accountSid: string, reservationSid: string, postWorkActivitySid?: string): Promise<void> {
    this.service.instructions.bridgeEnded(accountSid, reservationSid, postWorkActivitySid);
  }
}
