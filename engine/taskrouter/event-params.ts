import type { ReservationRecord } from './records.js';
import type { LiveTask, LiveWorker, WorkspaceState } from './workspace-state.js';

/** Seconds since `since`, rounded down, as Twilio's *Age parameters. */
export const ageSeconds = (since: number, now = Date.now()): number => Math.max(0, Math.floor((now - since) / 1000));

/** A task's parameters in event callbacks and the assignment callback (Twilio's names). */
export function taskParams(state: WorkspaceState, t: LiveTask, now = Date.now()): Record<string, string> {
  const r = t.record;
  const channel = state.channels.get(r.taskChannelSid);
  const queue = r.taskQueueSid !== undefined ? state.queues.get(r.taskQueueSid) : undefined;
  const wf = state.workflows.get(r.workflowSid);
  return {
    TaskSid: r.sid,
    TaskAttributes: r.attributes,
    TaskAge: String(ageSeconds(r.dateCreated, now)),
    TaskPriority: String(r.priority),
    TaskAssignmentStatus: r.assignmentStatus,
    TaskChannelSid: r.taskChannelSid,
    ...(channel ? { TaskChannelUniqueName: channel.uniqueName } : {}),
    ...(queue ? { TaskQueueSid: queue.record.sid, TaskQueueName: queue.record.friendlyName, TaskQueueTargetExpression: queue.record.targetWorkers } : {}),
    WorkflowSid: r.workflowSid,
    ...(wf ? { WorkflowName: wf.record.friendlyName } : {}),
  };
}

export function workerParams(state: WorkspaceState, w: LiveWorker): Record<string, string> {
  const activity = state.activities.get(w.record.activitySid);
  return {
    WorkerSid: w.record.sid,
    WorkerName: w.record.friendlyName,
    WorkerAttributes: w.record.attributes,
    WorkerActivitySid: w.record.activitySid,
    ...(activity ? { WorkerActivityName: activity.friendlyName } : {}),
  };
}

export function reservationParams(r: ReservationRecord): Record<string, string> {
  return { ReservationSid: r.sid, ReservationStatus: r.status };
}
