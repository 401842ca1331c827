import type { EventRecord } from '../../taskrouter/records.js';
import type { LiveWorker, WorkspaceState } from '../../taskrouter/workspace-state.js';
import type { Window } from './time-window.js';
import { iso } from './v1-urls.js';

/**
 * Cumulative statistics: what happened in a period, counted from the
 * workspace's kept events (Twilio's CumulativeStatistics resources). Wait
 * durations are the task's age when a reservation of it was accepted, or
 * when it was canceled; in a queue, the time since it entered the queue.
 */

/** Which events count: those of a queue, a workflow, some workers, a channel (each when given). */
export interface EventScope {
  queueSid?: string;
  workflowSid?: string;
  workerSids?: ReadonlySet<string>;
  channelSid?: string;
}

export interface Breakdown {
  avg: number;
  min: number;
  max: number;
  total: number;
}

export function breakdown(values: readonly number[]): Breakdown {
  if (values.length === 0) return { avg: 0, min: 0, max: 0, total: 0 };
  let total = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    total += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { avg: Math.round(total / values.length), min, max, total };
}

function inScope(e: EventRecord, s: EventScope): boolean {
  return (
    (s.queueSid === undefined || e.data.TaskQueueSid === s.queueSid) &&
    (s.workflowSid === undefined || e.data.WorkflowSid === s.workflowSid) &&
    (s.workerSids === undefined || (e.data.WorkerSid !== undefined && s.workerSids.has(e.data.WorkerSid))) &&
    (s.channelSid === undefined || e.data.TaskChannelSid === s.channelSid)
  );
}

const taskAge = (e: EventRecord): number => {
  const n = Number(e.data.TaskAge);
  return Number.isFinite(n) && n >= 0 ? n : 0;
};

const RESERVATION_COUNTS = [
  ['reservations_created', 'reservation.created'],
  ['reservations_accepted', 'reservation.accepted'],
  ['reservations_rejected', 'reservation.rejected'],
  ['reservations_timed_out', 'reservation.timeout'],
  ['reservations_canceled', 'reservation.canceled'],
  ['reservations_rescinded', 'reservation.rescinded'],
] as const;

const TASK_COUNTS = [
  ['tasks_created', 'task.created'],
  ['tasks_canceled', 'task.canceled'],
  ['tasks_completed', 'task.completed'],
  ['tasks_deleted', 'task.deleted'],
  ['tasks_moved', 'task-queue.moved'],
  ['tasks_timed_out_in_workflow', 'workflow.timeout'],
] as const;

/** For each threshold (seconds): how many tasks were accepted and canceled having waited less than it (below) or at least it (above). */
function splitByWaitTime(thresholds: readonly number[], accepted: readonly number[], canceled: readonly number[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const t of thresholds) {
    const count = (values: readonly number[], above: boolean): number => values.filter((v) => (above ? v >= t : v < t)).length;
    out[String(t)] = {
      above: { tasks_canceled: count(canceled, true), reservations_accepted: count(accepted, true) },
      below: { tasks_canceled: count(canceled, false), reservations_accepted: count(accepted, false) },
    };
  }
  return out;
}

/** When each task last entered each queue, from the kept events. */
function queueEntries(events: readonly EventRecord[]): Map<string, { queueSid: string; at: number }[]> {
  const out = new Map<string, { queueSid: string; at: number }[]>();
  for (const e of events) {
    if (e.eventType !== 'task-queue.entered' && e.eventType !== 'task-queue.moved') continue;
    const { TaskSid: task, TaskQueueSid: queue } = e.data;
    if (task === undefined || queue === undefined) continue;
    let list = out.get(task);
    if (!list) out.set(task, (list = []));
    list.push({ queueSid: queue, at: e.eventDate });
  }
  return out;
}

/** Every task figure of the period (each resource shows the ones Twilio gives it, see pick). */
export function taskCumulative(events: readonly EventRecord[], window: Window, scope: EventScope, thresholds: readonly number[] | undefined): Record<string, unknown> {
  const inWindow = events.filter((e) => e.eventDate >= window.start && e.eventDate <= window.end && inScope(e, scope));
  const count = (type: string): number => inWindow.reduce((n, e) => n + (e.eventType === type ? 1 : 0), 0);
  const accepted = inWindow.filter((e) => e.eventType === 'reservation.accepted');
  const untilAccepted = accepted.map(taskAge);
  const untilCanceled = inWindow.filter((e) => e.eventType === 'task.canceled').map(taskAge);
  const entries = queueEntries(events);
  const inQueue = accepted.map((e) => {
    const entered = (entries.get(e.data.TaskSid ?? '') ?? []).filter((x) => x.queueSid === e.data.TaskQueueSid && x.at <= e.eventDate).pop();
    return entered ? Math.floor((e.eventDate - entered.at) / 1000) : taskAge(e);
  });
  const out: Record<string, unknown> = {
    avg_task_acceptance_time: breakdown(untilAccepted).avg,
    start_time: iso(window.start),
    end_time: iso(window.end),
  };
  for (const [key, type] of RESERVATION_COUNTS) out[key] = count(type);
  for (const [key, type] of TASK_COUNTS) out[key] = count(type);
  out.tasks_entered = scope.queueSid !== undefined ? count('task-queue.entered') + count('task-queue.moved') : count('workflow.entered');
  out.wait_duration_until_accepted = breakdown(untilAccepted);
  out.wait_duration_until_canceled = breakdown(untilCanceled);
  out.wait_duration_in_queue_until_accepted = breakdown(inQueue);
  out.split_by_wait_time = thresholds === undefined ? null : splitByWaitTime(thresholds, untilAccepted, untilCanceled);
  return out;
}

const RESERVATION_KEYS = RESERVATION_COUNTS.map(([k]) => k);
const COMMON = ['avg_task_acceptance_time', 'start_time', 'end_time', ...RESERVATION_KEYS, 'tasks_canceled', 'tasks_completed', 'tasks_deleted', 'tasks_moved'];

/** The keys of each resource's cumulative statistics, as the twilio library reads them. */
export const CUMULATIVE_KEYS = {
  workspace: [...COMMON, 'tasks_created', 'tasks_timed_out_in_workflow', 'wait_duration_until_accepted', 'wait_duration_until_canceled', 'split_by_wait_time'],
  queue: [...COMMON, 'tasks_entered', 'wait_duration_in_queue_until_accepted', 'wait_duration_until_accepted', 'wait_duration_until_canceled', 'split_by_wait_time'],
  workflow: [...COMMON, 'tasks_entered', 'tasks_timed_out_in_workflow', 'wait_duration_until_accepted', 'wait_duration_until_canceled', 'split_by_wait_time'],
  workers: ['start_time', 'end_time', ...RESERVATION_KEYS],
} as const;

export function pick(figures: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, figures[k]]));
}

/** Time the workers spent in each activity within the period (seconds): per activity, the total and the shortest, longest and mean stint. */
export function activityDurations(state: WorkspaceState, events: readonly EventRecord[], workers: readonly LiveWorker[], window: Window, now: number): Record<string, unknown>[] {
  const sids = new Set(workers.map((w) => w.record.sid));
  const stints = new Map<string, number[]>();
  const add = (activitySid: string | undefined, from: number, to: number): void => {
    if (activitySid === undefined) return;
    const ms = Math.min(to, window.end) - Math.max(from, window.start);
    if (ms <= 0) return;
    let list = stints.get(activitySid);
    if (!list) stints.set(activitySid, (list = []));
    list.push(ms);
  };
  for (const e of events) {
    if (e.eventType !== 'worker.activity.update' || !sids.has(e.resourceSid)) continue;
    const lasted = Number(e.data.WorkerTimeInPreviousActivityMs);
    if (Number.isFinite(lasted)) add(e.data.WorkerPreviousActivitySid, e.eventDate - lasted, e.eventDate);
  }
  for (const w of workers) add(w.record.activitySid, w.record.dateStatusChanged, now);
  return [...state.activities.values()].map((a) => {
    const ms = stints.get(a.sid) ?? [];
    const seconds = breakdown(ms.map((v) => Math.floor(v / 1000)));
    return { avg: seconds.avg, min: seconds.min, max: seconds.max, sid: a.sid, friendly_name: a.friendlyName, total: Math.floor(ms.reduce((s, v) => s + v, 0) / 1000) };
  });
}
