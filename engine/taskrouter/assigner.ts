import type { Expression } from './expression/index.js';
import type { RoutingStep } from './routing.js';
import type { OrderKey } from './workflow-config.js';
import { safeEvaluate, type LiveTask, type LiveWorker, type WorkspaceState } from './workspace-state.js';

function pathValue(obj: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = obj;
  for (const p of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/** Negative when `a` is preferred to `b` by the target's order_by (missing values last). */
function compareByKeys(keys: readonly OrderKey[], a: LiveWorker, b: LiveWorker): number {
  for (const k of keys) {
    const va = pathValue(a.attributes, k.path);
    const vb = pathValue(b.attributes, k.path);
    if (va === vb) continue;
    if (va === undefined) return 1;
    if (vb === undefined) return -1;
    const order = (va as number | string) < (vb as number | string) ? -1 : 1;
    return k.descending ? -order : order;
  }
  return 0;
}

/** The known worker a target names: a SID, or `task.<path>` of the task's attributes holding one. */
function knownWorker(spec: string, task: LiveTask): string | undefined {
  if (!spec.startsWith('task.')) return spec;
  const v = pathValue(task.attributes, spec.slice(5).split('.'));
  return typeof v === 'string' ? v : undefined;
}

/**
 * The worker a task in this step is offered to: a member of the step's
 * queue that is available, has room on the task's channel (the candidates,
 * kept so by the state, the longest idle first), meets the target's
 * expression, has not declined the task and is not already holding a
 * reservation for it; the target's order_by decides, then the one idle the
 * longest. Without an order_by the first that fits is the one.
 */
export function pickWorker(state: WorkspaceState, task: LiveTask, step: RoutingStep, candidates: ReadonlySet<LiveWorker>): LiveWorker | undefined {
  const target = step.target;
  const known = target.knownWorkerSid !== undefined ? knownWorker(target.knownWorkerSid, task) : undefined;
  if (target.knownWorkerSid !== undefined && known === undefined) return undefined;
  const declined = task.record.declinedBy;
  const holding = task.pending.size > 0 ? new Set([...task.pending].map((r) => state.reservations.get(r)?.workerSid)) : undefined;
  // One scope for the whole search: only the worker's part changes from one candidate to the next.
  const scope = { task: task.attributes, worker: undefined as Record<string, unknown> | undefined, bare: 'worker' as const };
  let best: LiveWorker | undefined;
  for (const w of candidates) {
    if (known !== undefined && w.record.sid !== known) continue;
    if (declined.length > 0 && declined.includes(w.record.sid)) continue;
    if (holding?.has(w.record.sid)) continue;
    if (best) {
      // Cheaper than the expression: a worker that would lose to the best so far need not be evaluated.
      const c = compareByKeys(target.orderBy, w, best);
      if (c > 0 || (c === 0 && w.record.lastActivityAt >= best.record.lastActivityAt)) continue;
    }
    if (target.expression) {
      scope.worker = state.workerScope(w);
      if (!safeEvaluate(target.expression, scope)) continue;
    }
    if (target.orderBy.length === 0) return w;
    best = w;
  }
  return best;
}

/** How many of a queue's workers are in an available activity, and how many are not (skip_if's workers.available). */
export function queueWorkerCounts(state: WorkspaceState, queueSid: string): { available: number; unavailable: number; byActivity: Record<string, number> } {
  const q = state.queues.get(queueSid);
  let available = 0;
  const byActivity: Record<string, number> = {};
  for (const sid of q?.members ?? []) {
    const w = state.workers.get(sid);
    if (!w) continue;
    byActivity[w.record.activitySid] = (byActivity[w.record.activitySid] ?? 0) + 1;
    if (state.isAvailable(w)) available++;
  }
  return { available, unavailable: (q?.members.size ?? 0) - available, byActivity };
}

/** Whether a target's skip_if holds for the task now (`workers.available`, `workers.unavailable`, `workers.<ActivitySid>` of its queue). */
export function skipIfHolds(state: WorkspaceState, t: LiveTask, expr: Expression): boolean {
  if (t.record.taskQueueSid === undefined) return false;
  const counts = queueWorkerCounts(state, t.record.taskQueueSid);
  return safeEvaluate(expr, { task: t.attributes, bare: 'task', extra: { workers: { available: counts.available, unavailable: counts.unavailable, ...counts.byActivity } } });
}
