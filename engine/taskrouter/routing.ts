import type { LiveTask, WorkspaceState } from './workspace-state.js';
import { matchFilter, type CompiledTarget } from './workflow-config.js';

/** Where a task stands in its workflow: the target it is in, and when that target's time runs out. */
export interface RoutingStep {
  target: CompiledTarget | { queueSid: string; orderBy: []; priority?: undefined; expression?: undefined; timeout?: undefined; skipIf?: undefined; knownWorkerSid?: undefined };
  /** ms since the epoch; undefined when the task may stay in it for good. */
  deadline?: number;
  /** Whether there is a step after this one (the next target, or the default filter). */
  hasNext: boolean;
}

/** The step a task's routing position names, or undefined when its workflow routes it nowhere. */
export function currentStep(state: WorkspaceState, task: LiveTask): RoutingStep | undefined {
  const pos = task.record.routing;
  const wf = state.workflows.get(task.record.workflowSid);
  if (!pos || !wf) return undefined;
  const def = wf.compiled.defaultQueueSid;
  if (pos.filter < 0) return def === undefined ? undefined : { target: { queueSid: def, orderBy: [] }, hasNext: false };
  const filter = wf.compiled.filters[pos.filter];
  const target = filter?.targets[pos.target];
  if (!filter || !target) return undefined;
  let elapsed = 0;
  for (let i = 0; i <= pos.target; i++) elapsed += filter.targets[i]?.timeout ?? 0;
  const timed = target.timeout !== undefined;
  const hasNext = pos.target + 1 < filter.targets.length || (timed && def !== undefined);
  return { target, ...(timed ? { deadline: pos.filterEnteredAt + elapsed * 1000 } : {}), hasNext };
}

/** Puts a task at the start of its workflow: the first filter it meets, or the default filter. */
export function enterWorkflow(state: WorkspaceState, task: LiveTask, now: number): void {
  const wf = state.workflows.get(task.record.workflowSid);
  const filter = wf ? matchFilter(wf.compiled, task.attributes) : -1;
  task.record.routing = { filter, target: 0, filterEnteredAt: now };
}

/** Moves a task to its next step: the next target of its filter, or, after the last timed one, the default filter. */
export function nextStep(state: WorkspaceState, task: LiveTask, now: number): boolean {
  const pos = task.record.routing;
  const wf = state.workflows.get(task.record.workflowSid);
  if (!pos || !wf || pos.filter < 0) return false;
  const filter = wf.compiled.filters[pos.filter];
  if (filter && pos.target + 1 < filter.targets.length) {
    pos.target++;
    return true;
  }
  if (wf.compiled.defaultQueueSid === undefined) return false;
  task.record.routing = { filter: -1, target: 0, filterEnteredAt: now };
  return true;
}
