import { queueWorkerCounts } from '../../taskrouter/assigner.js';
import { ageSeconds } from '../../taskrouter/event-params.js';
import type { AssignmentStatus } from '../../taskrouter/records.js';
import type { LiveQueue, LiveTask, LiveWorker, WorkspaceState } from '../../taskrouter/workspace-state.js';

/** Real-time statistics: what the workspace holds now (Twilio's RealTimeStatistics resources). */

/** The statuses of tasks that are still live (what tasks_by_status and total_tasks count). */
const LIVE: readonly AssignmentStatus[] = ['pending', 'reserved', 'assigned', 'wrapping'];

export interface ActivityStatistic {
  friendly_name: string;
  sid: string;
  workers: number;
}

/** How many of `workers` are in each of the workspace's activities. */
export function activityStatistics(state: WorkspaceState, workers: Iterable<LiveWorker>): ActivityStatistic[] {
  const counts = new Map<string, number>();
  for (const w of workers) counts.set(w.record.activitySid, (counts.get(w.record.activitySid) ?? 0) + 1);
  return [...state.activities.values()].map((a) => ({ friendly_name: a.friendlyName, sid: a.sid, workers: counts.get(a.sid) ?? 0 }));
}

export interface TaskFigures {
  longest_task_waiting_age: number;
  longest_task_waiting_sid: string | null;
  tasks_by_priority: Record<string, number>;
  tasks_by_status: Record<string, number>;
  total_tasks: number;
}

/** The oldest of the tasks by `since` (waiting tasks only: pending or reserved). */
function longestWaiting(tasks: readonly LiveTask[], since: (t: LiveTask) => number, now: number): { age: number; sid: string | null } {
  let oldest: LiveTask | undefined;
  for (const t of tasks) {
    if (t.record.assignmentStatus !== 'pending' && t.record.assignmentStatus !== 'reserved') continue;
    if (!oldest || since(t) < since(oldest)) oldest = t;
  }
  return oldest ? { age: ageSeconds(since(oldest), now), sid: oldest.record.sid } : { age: 0, sid: null };
}

/** Live tasks by status and by priority, how many, and the one waiting longest (since it was made). */
export function taskFigures(tasks: readonly LiveTask[], now: number): TaskFigures {
  const byStatus: Record<string, number> = Object.fromEntries(LIVE.map((s) => [s, 0]));
  const byPriority: Record<string, number> = {};
  let total = 0;
  for (const t of tasks) {
    if (!LIVE.includes(t.record.assignmentStatus)) continue;
    total++;
    byStatus[t.record.assignmentStatus] = (byStatus[t.record.assignmentStatus] ?? 0) + 1;
    const p = String(t.record.priority);
    byPriority[p] = (byPriority[p] ?? 0) + 1;
  }
  const longest = longestWaiting(tasks, (t) => t.record.dateCreated, now);
  return { longest_task_waiting_age: longest.age, longest_task_waiting_sid: longest.sid, tasks_by_priority: byPriority, tasks_by_status: byStatus, total_tasks: total };
}

/** The tasks of a channel (a TaskChannel sid or unique name; every task when undefined). */
export function tasksOf(state: WorkspaceState, channel: string | undefined, keep: (t: LiveTask) => boolean = () => true): LiveTask[] {
  const channelSid = channel === undefined ? undefined : ((state.channels.get(channel) ?? state.channelByName(channel))?.sid ?? '');
  return [...state.tasks.values()].filter((t) => (channelSid === undefined || t.record.taskChannelSid === channelSid) && keep(t));
}

export function workspaceRealtime(state: WorkspaceState, channel: string | undefined, now: number): Record<string, unknown> {
  return { activity_statistics: activityStatistics(state, state.workers.values()), ...taskFigures(tasksOf(state, channel), now), total_workers: state.workers.size };
}

export function queueRealtime(state: WorkspaceState, q: LiveQueue, channel: string | undefined, now: number): Record<string, unknown> {
  const tasks = tasksOf(state, channel, (t) => t.record.taskQueueSid === q.record.sid);
  const members = [...q.members].map((sid) => state.workers.get(sid)).filter((w): w is LiveWorker => w !== undefined);
  const relative = longestWaiting(tasks, (t) => t.record.taskQueueEnteredAt ?? t.record.dateCreated, now);
  return {
    activity_statistics: activityStatistics(state, members),
    ...taskFigures(tasks, now),
    longest_relative_task_age_in_queue: relative.age,
    longest_relative_task_sid_in_queue: relative.sid,
    total_available_workers: queueWorkerCounts(state, q.record.sid).available,
    total_eligible_workers: members.length,
  };
}

export function workflowRealtime(state: WorkspaceState, workflowSid: string, channel: string | undefined, now: number): Record<string, unknown> {
  return { ...taskFigures(tasksOf(state, channel, (t) => t.record.workflowSid === workflowSid), now) };
}

export function workersRealtime(state: WorkspaceState, workers: readonly LiveWorker[]): Record<string, unknown> {
  return { activity_statistics: activityStatistics(state, workers), total_workers: workers.length };
}
