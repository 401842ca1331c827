import type { EventRecord, TaskRouterRecord } from '../taskrouter/records.js';

/**
 * TaskRouter's records (workspaces, activities, channels, workers, queues,
 * workflows, tasks, reservations) and events, by workspace. The engine
 * that runs a workspace holds it in memory and writes every change here
 * behind its work; an engine that takes a workspace over (at start, or
 * when its engine is lost) loads it from here.
 *
 * Writes may be held back and merged (several saves of one record in a
 * short while become one write); `flush` sends what is held back, and a
 * store's own flush and close include it.
 */
export interface TaskRouterStore {
  put(record: TaskRouterRecord): void;
  remove(workspaceSid: string, sid: string): void;
  /** Every record and event of the workspace goes. */
  removeWorkspace(workspaceSid: string): void;
  /**
   * Appends an event to its workspace's log, which keeps at least the
   * newest `keep` (older ones go in bulk, so a few more may be kept: the
   * reader keeps the newest `keep` of what load returns).
   */
  addEvent(event: EventRecord, keep: number): void;
  /** Every record of every workspace, and their events oldest first. */
  load(): Promise<TaskRouterRecord[]>;
  /** Hands what is held back to the database now (it is written, or sent, in order before anything later). */
  flush(): void;
  /**
   * The engine has just finished a piece of work (an assignment pass) and
   * nothing waits on it: a store that writes in batches may write now
   * what it has held for a while, rather than in the middle of later work.
   */
  idle(): void;
}

/** The workspace a record belongs to (a workspace record is its own). */
export function recordWorkspace(r: TaskRouterRecord): string {
  return r.kind === 'workspace' ? r.sid : r.workspaceSid;
}

/** Records grouped by their workspace, in the order given. */
export function byWorkspace(records: Iterable<TaskRouterRecord>): Map<string, TaskRouterRecord[]> {
  const out = new Map<string, TaskRouterRecord[]>();
  for (const r of records) {
    const ws = recordWorkspace(r);
    let list = out.get(ws);
    if (!list) out.set(ws, (list = []));
    list.push(r);
  }
  return out;
}
