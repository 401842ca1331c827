import { pickWorker, skipIfHolds } from './assigner.js';
import { invalid, missing, TaskRouterError } from './errors.js';
import { checkAttributes, checkPriority, DEFAULT_TASK_TIMEOUT, MAX_TASK_TIMEOUT, type NewTask, type TaskChange } from './task-input.js';
import { reservationData, taskData, workerData } from './event-data.js';
import { ageSeconds } from './event-params.js';
import type { AssignmentStatus, EventRecord, ReservationRecord, ReservationStatus, TaskRecord, TaskRouterRecord } from './records.js';
import { currentStep, enterWorkflow, nextStep } from './routing.js';
import { newSid } from './sids.js';
import { Timers } from './timers.js';
import { attributesOf, type LiveTask, type LiveWorker, WorkspaceState } from './workspace-state.js';

/** What a workspace tells the rest of the engine. */
export interface WorkspaceHooks {
  /** A record changed: persist it. */
  save(record: TaskRouterRecord): void;
  /** A record is gone. */
  drop(kind: TaskRouterRecord['kind'], sid: string): void;
  /** Something happened (Twilio's event types): kept for the Events resource and sent to the EventCallbackUrl. */
  event(event: Omit<EventRecord, 'kind' | 'sid' | 'workspaceSid' | 'accountSid' | 'eventDate'>): void;
  /** A reservation was made: the assignment callback. */
  reserved(reservation: ReservationRecord, task: LiveTask, worker: LiveWorker): void;
  /** A task is over without a worker (canceled, deleted, timed out): a call waiting on it stops waiting. */
  taskEnded(task: TaskRecord): void;
  /** An assignment pass is over, and what it started (the reservations' callbacks) has run: a quiet moment. */
  settled?(): void;
}

/**
 * One workspace at work: tasks routed through their workflow's filters and
 * targets, offered to workers by priority then age, reservations that are
 * accepted, rejected or time out, and the workers' activities and load.
 * Every change is saved through the hooks and told as Twilio's events.
 * Assignment runs once per turn of the event loop after whatever changed.
 */
export class Workspace {
  readonly state: WorkspaceState;
  private readonly timers = new Timers();
  private scheduled = false;
  /** A worker got room (or the routing changed): every waiting task is looked at, not only new ones. */
  private everything = false;
  private readonly fresh = new Set<LiveTask>();
  /** In a pass: reserved tasks leave the waiting list in one sweep at its end, not one by one. */
  private inPass = false;

  constructor(
    state: WorkspaceState,
    readonly hooks: WorkspaceHooks,
  ) {
    this.state = state;
  }

  get sid(): string {
    return this.state.workspace.sid;
  }

  close(): void {
    this.timers.clearAll();
  }

  // ---- assignment

  /** Looks for workers soon: for `task` alone, or for every waiting task. */
  schedule(task?: LiveTask): void {
    if (task) this.fresh.add(task);
    else this.everything = true;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.assign();
    });
  }

  /** One assignment pass (also called directly by the benchmark and tests). */
  assign(): void {
    const all = this.everything;
    const tasks = all ? [...this.state.waiting] : [...this.fresh].filter((t) => t.record.assignmentStatus === 'pending' || t.record.assignmentStatus === 'reserved');
    this.everything = false;
    this.fresh.clear();
    // With no worker able to take anything, the tasks wait (unless a skip_if may move one on).
    if (this.state.candidates.freeCount() === 0 && !tasks.some((t) => t.pending.size === 0 && currentStep(this.state, t)?.target.skipIf)) return;
    this.inPass = true;
    try {
      this.passOver(tasks);
    } finally {
      this.inPass = false;
      this.state.sweepWaiting();
      // After the microtasks the pass queued (an accepted reservation's changes join the same write).
      if (this.hooks.settled) queueMicrotask(() => this.hooks.settled?.());
    }
  }

  private passOver(tasks: readonly LiveTask[]): void {
    const candidates = this.state.candidates;
    for (const t of tasks) {
      const step = currentStep(this.state, t);
      if (!step || t.record.taskQueueSid === undefined) continue;
      if (!step.target.skipIf && candidates.freeCount() === 0) continue;
      const maxReserved = this.state.queues.get(t.record.taskQueueSid)?.record.maxReservedWorkers ?? 1;
      let made = false;
      while (t.pending.size < maxReserved && t.reservationSid === undefined) {
        // The set follows each reservation (the worker's load): a worker without room leaves it.
        const eligible = candidates.of(t.record.taskQueueSid, t.record.taskChannelSid);
        if (eligible.size === 0) break;
        const w = pickWorker(this.state, t, step, eligible);
        if (!w) break;
        this.reserve(t, w);
        made = true;
      }
      if (!made && t.pending.size === 0 && step.target.skipIf && step.hasNext && skipIfHolds(this.state, t, step.target.skipIf)) {
        this.advance(t, 'workflow.skipped');
      }
    }
  }

  // ---- tasks

  createTask(accountSid: string, input: NewTask, now = Date.now()): LiveTask {
    const attributes = checkAttributes(input.attributes ?? '{}');
    const workflowSid = input.workflowSid ?? this.onlyWorkflow();
    if (!this.state.workflows.has(workflowSid)) throw invalid(`WorkflowSid ${workflowSid} is not a Workflow of this workspace`);
    const channelName = input.taskChannel ?? 'default';
    const channel = this.state.channels.get(channelName) ?? this.state.channelByName(channelName);
    if (!channel) throw invalid(`TaskChannel ${channelName} is not a TaskChannel of this workspace`);
    const priority = checkPriority(input.priority ?? 0);
    const timeout = input.timeout ?? DEFAULT_TASK_TIMEOUT;
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TASK_TIMEOUT) throw invalid(`Timeout must be an integer from 1 to ${MAX_TASK_TIMEOUT}`);
    const record: TaskRecord = {
      kind: 'task',
      sid: newSid('task'),
      workspaceSid: this.sid,
      accountSid,
      workflowSid,
      attributes,
      priority,
      timeout,
      taskChannelSid: channel.sid,
      assignmentStatus: 'pending',
      declinedBy: [],
      dateCreated: now,
      dateUpdated: now,
    };
    const t: LiveTask = { record, attributes: attributesOf(attributes), pending: new Set(), seq: 0 };
    this.state.tasks.set(record.sid, t);
    this.taskEvent('task.created', t, 'Task created');
    this.armTaskTimeout(t);
    this.route(t, now);
    return t;
  }

  private onlyWorkflow(): string {
    if (this.state.workflows.size === 1) return [...this.state.workflows.keys()][0] as string;
    throw invalid('WorkflowSid is required (the workspace has ' + (this.state.workflows.size === 0 ? 'no workflow' : 'several workflows') + ')');
  }

  private armTaskTimeout(t: LiveTask): void {
    this.timers.set(`ttl:${t.record.sid}`, t.record.dateCreated + t.record.timeout * 1000, () => {
      if (t.record.assignmentStatus !== 'pending' && t.record.assignmentStatus !== 'reserved') return;
      this.hooks.event({ eventType: 'workflow.timeout', description: 'Task timed out of its workflow', resourceType: 'Task', resourceSid: t.record.sid, data: taskData(this.state, t) });
      this.cancelTask(t, 'Task TTL Exceeded');
    });
  }

  /** Puts a task (new, or whose attributes changed) at the start of its workflow. */
  /** The task (new, changed, or its Workflow updated with ReEvaluateTasks) goes through its Workflow's configuration. */
  route(t: LiveTask, now: number): void {
    enterWorkflow(this.state, t, now);
    this.hooks.event({ eventType: 'workflow.entered', description: 'Task entered a workflow', resourceType: 'Task', resourceSid: t.record.sid, data: taskData(this.state, t) });
    this.enterStep(t, now);
  }

  /** The task enters the queue of its current step (or stays without one), with the step's priority and timeout. */
  private enterStep(t: LiveTask, now: number): void {
    const step = currentStep(this.state, t);
    const before = t.record.taskQueueSid;
    if (!step) {
      t.record.taskQueueSid = undefined;
      this.state.unwait(t);
      this.save(t);
      return;
    }
    if (step.target.priority !== undefined) t.record.priority = step.target.priority;
    t.record.taskQueueSid = step.target.queueSid;
    t.record.taskQueueEnteredAt = now;
    t.record.dateUpdated = now;
    this.state.entered(t);
    if (t.record.assignmentStatus === 'pending') this.state.wait(t);
    this.save(t);
    if (t.record.routing && t.record.routing.filter >= 0) this.taskEvent('workflow.target-matched', t, 'Task matched a workflow target');
    this.taskEvent(before !== undefined && before !== step.target.queueSid ? 'task-queue.moved' : 'task-queue.entered', t, 'Task entered a TaskQueue');
    if (step.deadline !== undefined && step.hasNext) this.timers.set(`step:${t.record.sid}`, step.deadline, () => this.stepTimedOut(t));
    else this.timers.clear(`step:${t.record.sid}`);
    this.schedule(t);
  }

  private stepTimedOut(t: LiveTask): void {
    if (t.record.assignmentStatus !== 'pending') return; // a reservation is pending: decided when it ends
    this.advance(t, 'task-queue.timeout');
  }

  private advance(t: LiveTask, why: 'task-queue.timeout' | 'workflow.skipped'): void {
    this.taskEvent(why, t, why === 'workflow.skipped' ? 'Task skipped a workflow target' : 'Task timed out of a TaskQueue');
    if (nextStep(this.state, t, Date.now())) this.enterStep(t, Date.now());
  }

  /** After a restore: the task's timers again, and its place in the waiting list. */
  resumeTask(t: LiveTask): void {
    this.armTaskTimeout(t);
    for (const rid of t.pending) {
      const r = this.state.reservations.get(rid);
      if (r) this.timers.set(`res:${rid}`, r.expiresAt, () => this.endReservation(rid, 'timeout'));
    }
    if (t.pending.size === 0) {
      t.record.assignmentStatus = 'pending';
      if (t.record.taskQueueSid !== undefined) this.state.wait(t);
    }
    const step = currentStep(this.state, t);
    if (step?.deadline !== undefined && step.hasNext) this.timers.set(`step:${t.record.sid}`, step.deadline, () => this.stepTimedOut(t));
  }

  getTask(sid: string): LiveTask {
    const t = this.state.tasks.get(sid);
    if (!t) throw missing(`/Workspaces/${this.sid}/Tasks/${sid}`);
    return t;
  }

  updateTask(sid: string, change: TaskChange): LiveTask {
    const t = this.getTask(sid);
    const r = t.record;
    if (change.attributes !== undefined) checkAttributes(change.attributes);
    if (change.priority !== undefined) checkPriority(change.priority);
    const to = change.assignmentStatus;
    if (to !== undefined && to !== r.assignmentStatus) this.checkTransition(r.assignmentStatus, to);
    const now = Date.now();
    let reroute = false;
    if (change.attributes !== undefined && change.attributes !== r.attributes) {
      r.attributes = change.attributes;
      t.attributes = attributesOf(change.attributes);
      reroute = r.assignmentStatus === 'pending';
    }
    if (change.priority !== undefined && change.priority !== r.priority) {
      r.priority = change.priority;
      if (r.assignmentStatus === 'pending') this.state.wait(t);
    }
    if (change.timeout !== undefined) {
      r.timeout = change.timeout;
      this.armTaskTimeout(t);
    }
    r.dateUpdated = now;
    this.taskEvent('task.updated', t, 'Task updated');
    if (to === 'canceled') this.cancelTask(t, change.reason ?? 'canceled by the API');
    else if (to === 'wrapping') this.wrapTask(t, change.reason);
    else if (to === 'completed') this.completeTask(t, change.reason ?? 'completed');
    else if (reroute) this.route(t, now);
    else this.save(t);
    return t;
  }

  private checkTransition(from: AssignmentStatus, to: AssignmentStatus): void {
    const allowed: Record<AssignmentStatus, AssignmentStatus[]> = {
      pending: ['canceled'],
      reserved: ['canceled'],
      assigned: ['wrapping', 'completed', 'canceled'],
      wrapping: ['completed'],
      completed: [],
      canceled: [],
    };
    if (!allowed[from].includes(to)) throw new TaskRouterError(400, 20001, `AssignmentStatus cannot change from ${from} to ${to}`);
  }

  deleteTask(sid: string): void {
    const t = this.getTask(sid);
    if (t.record.assignmentStatus === 'pending' || t.record.assignmentStatus === 'reserved') this.cancelTask(t, 'deleted');
    else if (t.record.assignmentStatus === 'assigned' || t.record.assignmentStatus === 'wrapping') this.releaseAssignment(t, 'canceled');
    this.timers.clear(`ttl:${sid}`);
    this.timers.clear(`step:${sid}`);
    this.state.unwait(t);
    this.state.tasks.delete(sid);
    for (const r of this.state.reservations.values()) if (r.taskSid === sid) this.state.reservations.delete(r.sid);
    this.taskEvent('task.deleted', t, 'Task deleted');
    this.hooks.drop('task', sid);
  }

  /** Ends a task that has no worker (or is taken back): its pending reservations are canceled. */
  cancelTask(t: LiveTask, reason: string): void {
    const wasAssigned = t.reservationSid !== undefined;
    for (const rid of [...t.pending]) this.endReservation(rid, 'canceled');
    if (wasAssigned) this.releaseAssignment(t, 'canceled');
    this.finish(t, 'canceled', reason);
    this.taskEvent('task.canceled', t, 'Task canceled', { TaskCanceledReason: reason });
    this.hooks.taskEnded(t.record);
  }

  private wrapTask(t: LiveTask, reason: string | undefined): void {
    t.record.assignmentStatus = 'wrapping';
    if (reason !== undefined) t.record.reason = reason;
    const r = t.reservationSid !== undefined ? this.state.reservations.get(t.reservationSid) : undefined;
    if (r) this.setReservation(r, 'wrapping', 'reservation.wrapup');
    this.save(t);
    this.taskEvent('task.wrapup', t, 'Task wrapping up');
  }

  private completeTask(t: LiveTask, reason: string): void {
    this.releaseAssignment(t, 'completed');
    this.finish(t, 'completed', reason);
    this.taskEvent('task.completed', t, 'Task completed', { TaskCompletedReason: reason });
  }

  private finish(t: LiveTask, status: 'canceled' | 'completed', reason: string): void {
    t.record.assignmentStatus = status;
    t.record.reason = reason;
    t.record.dateUpdated = Date.now();
    this.state.unwait(t);
    this.timers.clear(`ttl:${t.record.sid}`);
    this.timers.clear(`step:${t.record.sid}`);
    this.save(t);
  }

  /** The assigned worker lets go of the task: its reservation ends and the load is freed. */
  private releaseAssignment(t: LiveTask, status: 'completed' | 'canceled'): void {
    const r = t.reservationSid !== undefined ? this.state.reservations.get(t.reservationSid) : undefined;
    t.reservationSid = undefined;
    if (!r) return;
    if (status === 'completed') this.setReservation(r, 'completed', 'reservation.completed');
    const w = this.state.workers.get(r.workerSid);
    if (w) {
      w.record.lastActivityAt = Date.now();
      this.state.addLoad(w, t.record.taskChannelSid, -1);
      this.saveWorker(w);
      this.schedule();
    }
  }

  // ---- reservations

  private reserve(t: LiveTask, w: LiveWorker): ReservationRecord {
    const now = Date.now();
    const wf = this.state.workflows.get(t.record.workflowSid);
    const timeoutSeconds = wf?.record.taskReservationTimeout ?? 120;
    const r: ReservationRecord = {
      kind: 'reservation',
      sid: newSid('reservation'),
      workspaceSid: this.sid,
      accountSid: t.record.accountSid,
      taskSid: t.record.sid,
      workerSid: w.record.sid,
      workerName: w.record.friendlyName,
      taskQueueSid: t.record.taskQueueSid ?? '',
      status: 'pending',
      expiresAt: now + timeoutSeconds * 1000,
      dateCreated: now,
      dateUpdated: now,
    };
    this.state.reservations.set(r.sid, r);
    t.pending.add(r.sid);
    t.record.assignmentStatus = 'reserved';
    t.record.dateUpdated = now;
    if (!this.inPass) this.state.unwait(t);
    // The time first: the candidate sets place the worker by it when its load changes.
    w.record.lastActivityAt = now;
    this.state.addLoad(w, t.record.taskChannelSid, 1);
    this.save(t);
    this.hooks.save(r);
    const queue = this.state.queues.get(r.taskQueueSid);
    if (queue?.record.reservationActivitySid !== undefined) this.setActivity(w, queue.record.reservationActivitySid);
    else this.saveWorker(w);
    this.timers.set(`res:${r.sid}`, r.expiresAt, () => this.endReservation(r.sid, 'timeout'));
    this.hooks.event({ eventType: 'reservation.created', description: 'Reservation created', resourceType: 'Reservation', resourceSid: r.sid, data: reservationData(this.state, r, t, w) });
    this.hooks.reserved(r, t, w);
    return r;
  }

  getReservation(sid: string, taskSid?: string, workerSid?: string): ReservationRecord {
    const r = this.state.reservations.get(sid);
    if (!r || (taskSid !== undefined && r.taskSid !== taskSid) || (workerSid !== undefined && r.workerSid !== workerSid)) {
      throw missing(`/Workspaces/${this.sid}/${taskSid !== undefined ? `Tasks/${taskSid}` : `Workers/${workerSid ?? ''}`}/Reservations/${sid}`);
    }
    return r;
  }

  /** The worker takes the task: assigned; the task's other pending reservations are rescinded. */
  accept(sid: string): ReservationRecord {
    const r = this.state.reservations.get(sid);
    if (!r) throw missing(`Reservation ${sid}`);
    if (r.status !== 'pending') throw new TaskRouterError(400, 20001, `Reservation ${sid} is ${r.status}, not pending: it cannot be accepted`);
    const t = this.state.tasks.get(r.taskSid);
    const w = this.state.workers.get(r.workerSid);
    if (!t || !w) throw missing(`Reservation ${sid}`);
    this.timers.clear(`res:${sid}`);
    t.pending.delete(sid);
    t.reservationSid = sid;
    t.record.assignmentStatus = 'assigned';
    t.record.dateUpdated = Date.now();
    this.setReservation(r, 'accepted', 'reservation.accepted');
    for (const other of [...t.pending]) this.endReservation(other, 'rescinded');
    this.save(t);
    const queue = this.state.queues.get(r.taskQueueSid);
    if (queue?.record.assignmentActivitySid !== undefined) this.setActivity(w, queue.record.assignmentActivitySid);
    return r;
  }

  /** The worker declines: the task goes back to its queue (not to this worker again); the worker may move to `activitySid`. */
  reject(sid: string, activitySid?: string): ReservationRecord {
    const r = this.state.reservations.get(sid);
    if (!r) throw missing(`Reservation ${sid}`);
    if (r.status !== 'pending') throw new TaskRouterError(400, 20001, `Reservation ${sid} is ${r.status}, not pending: it cannot be rejected`);
    if (activitySid !== undefined && !this.state.activities.has(activitySid)) throw invalid(`WorkerActivitySid ${activitySid} is not an Activity of this workspace`);
    this.endReservation(sid, 'rejected', activitySid);
    return r;
  }

  /** A pending reservation ends without the worker taking the task (rejected, timed out, canceled, rescinded). */
  endReservation(sid: string, status: Extract<ReservationStatus, 'rejected' | 'timeout' | 'canceled' | 'rescinded'>, activitySid?: string): void {
    const r = this.state.reservations.get(sid);
    if (!r || r.status !== 'pending') return;
    this.timers.clear(`res:${sid}`);
    const t = this.state.tasks.get(r.taskSid);
    const w = this.state.workers.get(r.workerSid);
    this.setReservation(r, status, `reservation.${status}`);
    if (w && t) this.state.addLoad(w, t.record.taskChannelSid, -1);
    if (t) {
      t.pending.delete(sid);
      if (status === 'rejected' && !t.record.declinedBy.includes(r.workerSid)) t.record.declinedBy.push(r.workerSid);
      if (t.pending.size === 0 && t.reservationSid === undefined && t.record.assignmentStatus === 'reserved') {
        t.record.assignmentStatus = 'pending';
        t.record.dateUpdated = Date.now();
        // Its step's time may have run out while the reservation was pending.
        const step = currentStep(this.state, t);
        if (step?.deadline !== undefined && step.hasNext && step.deadline <= Date.now()) this.advance(t, 'task-queue.timeout');
        else {
          this.state.wait(t);
          this.save(t);
        }
      }
    }
    if (w) {
      const next = activitySid ?? (status === 'timeout' ? this.state.workspace.timeoutActivitySid : undefined);
      if (next !== undefined) this.setActivity(w, next);
      else this.saveWorker(w);
    }
    this.schedule();
  }

  private setReservation(r: ReservationRecord, status: ReservationStatus, eventType: string): void {
    r.status = status;
    r.dateUpdated = Date.now();
    this.hooks.save(r);
    const t = this.state.tasks.get(r.taskSid);
    if (t) this.hooks.event({ eventType, description: `Reservation ${status}`, resourceType: 'Reservation', resourceSid: r.sid, data: reservationData(this.state, r, t, this.state.workers.get(r.workerSid)) });
  }

  // ---- workers

  /** Moves a worker to an activity; an available one is offered waiting tasks. */
  setActivity(w: LiveWorker, activitySid: string, rejectPending = false): void {
    const activity = this.state.activities.get(activitySid);
    if (!activity) throw invalid(`ActivitySid ${activitySid} is not an Activity of this workspace`);
    if (rejectPending) for (const r of [...this.state.reservations.values()]) if (r.workerSid === w.record.sid && r.status === 'pending') this.endReservation(r.sid, 'rejected');
    const previous = w.record.activitySid;
    if (previous === activitySid) return this.saveWorker(w);
    const now = Date.now();
    const since = w.record.dateStatusChanged;
    w.record.activitySid = activitySid;
    w.record.dateStatusChanged = now;
    w.record.dateUpdated = now;
    this.state.refreshMembership(w);
    this.saveWorker(w);
    const prev = this.state.activities.get(previous);
    this.hooks.event({
      eventType: 'worker.activity.update',
      description: `Worker ${w.record.friendlyName} updated to ${activity.friendlyName} Activity`,
      resourceType: 'Worker',
      resourceSid: w.record.sid,
      data: { ...workerData(this.state, w), WorkerPreviousActivitySid: previous, ...(prev ? { WorkerPreviousActivityName: prev.friendlyName } : {}), WorkerTimeInPreviousActivity: String(ageSeconds(since, now)), WorkerTimeInPreviousActivityMs: String(now - since) },
    });
    if (activity.available) this.schedule();
  }

  saveWorker(w: LiveWorker): void {
    this.hooks.save(w.record);
  }

  private save(t: LiveTask): void {
    this.hooks.save(t.record);
  }

  private taskEvent(eventType: string, t: LiveTask, description: string, extra?: Record<string, string>): void {
    const data = taskData(this.state, t);
    for (const key in extra) data[key] = extra[key] as string;
    this.hooks.event({ eventType, description, resourceType: 'Task', resourceSid: t.record.sid, data });
  }

  /** Whether a task still waits for a worker. */
  static open(t: TaskRecord): boolean {
    return t.assignmentStatus === 'pending' || t.assignmentStatus === 'reserved';
  }
}
