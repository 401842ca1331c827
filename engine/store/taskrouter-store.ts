import type { TaskRouterRecord } from '../taskrouter/records.js';

/**
 * TaskRouter's records (workspaces, activities, channels, workers, queues,
 * workflows, tasks, reservations, events), by workspace. The engine that
 * runs a workspace holds it in memory and writes every change here behind
 * its work; an engine that takes a workspace over (at start, or when its
 * engine is lost) loads it from here.
 */
export interface TaskRouterStore {
  put(record: TaskRouterRecord): void;
  remove(workspaceSid: string, sid: string): void;
  /** Every record of the workspace goes. */
  removeWorkspace(workspaceSid: string): void;
  /** Every record of every workspace. */
  load(): Promise<TaskRouterRecord[]>;
}

/** The workspace a record belongs to (a workspace record is its own). */
export function recordWorkspace(r: TaskRouterRecord): string {
  return r.kind === 'workspace' ? r.sid : r.workspaceSid;
}
