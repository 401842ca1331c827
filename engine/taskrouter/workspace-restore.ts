import type { TaskRouterRecord, WorkspaceRecord } from './records.js';
import { compileWorkflow } from './workflow-config.js';
import { Workspace, type WorkspaceHooks } from './workspace.js';
import { attributesOf, type LiveTask, WorkspaceState } from './workspace-state.js';

/**
 * Builds a workspace again from its stored records (the engine restarted,
 * or took the workspace over): indexes, loads, the waiting list, and the
 * timers of pending reservations and waiting tasks. Time that passed while
 * no engine ran it counts: a reservation that lapsed meanwhile times out now.
 */
export function restoreWorkspace(workspace: WorkspaceRecord, records: readonly TaskRouterRecord[], hooks: WorkspaceHooks): { ws: Workspace; events: TaskRouterRecord[] } {
  const state = new WorkspaceState(workspace);
  const events: TaskRouterRecord[] = [];
  const byKind = <K extends TaskRouterRecord['kind']>(kind: K): Extract<TaskRouterRecord, { kind: K }>[] =>
    records.filter((r): r is Extract<TaskRouterRecord, { kind: K }> => r.kind === kind);
  for (const a of byKind('activity')) state.activities.set(a.sid, a);
  for (const c of byKind('channel')) state.channels.set(c.sid, c);
  for (const w of byKind('worker')) state.workers.set(w.sid, { record: w, attributes: attributesOf(w.attributes), load: new Map(), totalLoad: 0 });
  for (const q of byKind('queue')) state.addQueue(q);
  for (const w of byKind('workflow')) state.workflows.set(w.sid, { record: w, compiled: compileWorkflow(w.configuration, (sid) => state.queues.has(sid)) });
  const tasks = byKind('task').sort((a, b) => (a.taskQueueEnteredAt ?? a.dateCreated) - (b.taskQueueEnteredAt ?? b.dateCreated));
  for (const t of tasks) {
    const live: LiveTask = { record: t, attributes: attributesOf(t.attributes), pending: new Set(), seq: 0 };
    state.entered(live);
    state.tasks.set(t.sid, live);
  }
  for (const r of byKind('reservation')) {
    state.reservations.set(r.sid, r);
    const t = state.tasks.get(r.taskSid);
    const w = state.workers.get(r.workerSid);
    if (!t || !w) continue;
    if (r.status === 'pending') t.pending.add(r.sid);
    else if ((r.status === 'accepted' || r.status === 'wrapping') && (t.record.assignmentStatus === 'assigned' || t.record.assignmentStatus === 'wrapping')) t.reservationSid = r.sid;
    else continue;
    state.addLoad(w, t.record.taskChannelSid, 1);
  }
  events.push(...byKind('event').sort((a, b) => a.eventDate - b.eventDate));
  const ws = new Workspace(state, hooks);
  for (const t of state.tasks.values()) resume(ws, t);
  ws.schedule();
  return { ws, events };
}

function resume(ws: Workspace, t: LiveTask): void {
  const status = t.record.assignmentStatus;
  if (status !== 'pending' && status !== 'reserved') return;
  ws.resumeTask(t);
}
