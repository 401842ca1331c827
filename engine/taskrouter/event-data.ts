import { ageSeconds } from './event-params.js';
import type { ReservationRecord } from './records.js';
import type { LiveTask, LiveWorker, WorkspaceState } from './workspace-state.js';

/**
 * The data of TaskRouter's events (Twilio's callback parameters: TaskSid,
 * WorkerSid, ...), built into one object property by property in a fixed
 * order. Every task event and reservation event carries them, ten or so
 * per task: object spreads of partial records, as a first version did,
 * cost several times more than writing the properties straight in.
 */
export type EventData = Record<string, string>;

/** A task's parameters (into `d`, a new object by default). */
export function taskData(state: WorkspaceState, t: LiveTask, now = Date.now(), d: EventData = {}): EventData {
  const r = t.record;
  d.TaskSid = r.sid;
  d.TaskAttributes = r.attributes;
  d.TaskAge = String(ageSeconds(r.dateCreated, now));
  d.TaskPriority = String(r.priority);
  d.TaskAssignmentStatus = r.assignmentStatus;
  d.TaskChannelSid = r.taskChannelSid;
  const channel = state.channels.get(r.taskChannelSid);
  if (channel) d.TaskChannelUniqueName = channel.uniqueName;
  const queue = r.taskQueueSid !== undefined ? state.queues.get(r.taskQueueSid) : undefined;
  if (queue) {
    d.TaskQueueSid = queue.record.sid;
    d.TaskQueueName = queue.record.friendlyName;
    d.TaskQueueTargetExpression = queue.record.targetWorkers;
  }
  d.WorkflowSid = r.workflowSid;
  const wf = state.workflows.get(r.workflowSid);
  if (wf) d.WorkflowName = wf.record.friendlyName;
  return d;
}

/** A worker's parameters, added to `d`. */
export function workerData(state: WorkspaceState, w: LiveWorker, d: EventData = {}): EventData {
  d.WorkerSid = w.record.sid;
  d.WorkerName = w.record.friendlyName;
  d.WorkerAttributes = w.record.attributes;
  d.WorkerActivitySid = w.record.activitySid;
  const activity = state.activities.get(w.record.activitySid);
  if (activity) d.WorkerActivityName = activity.friendlyName;
  return d;
}

/** A reservation's event data: its task's, its worker's (or its sid alone when the worker is gone), its own. */
export function reservationData(state: WorkspaceState, r: ReservationRecord, t: LiveTask, w: LiveWorker | undefined): EventData {
  const d = taskData(state, t);
  if (w) workerData(state, w, d);
  else d.WorkerSid = r.workerSid;
  d.ReservationSid = r.sid;
  d.ReservationStatus = r.status;
  return d;
}
