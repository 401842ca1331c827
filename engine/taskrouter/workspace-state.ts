import { Candidates } from './candidates.js';
import { evaluate, parseExpression, type Expression } from './expression/index.js';
import type {
  ActivityRecord,
  ReservationRecord,
  TaskChannelRecord,
  TaskQueueRecord,
  TaskRecord,
  WorkerRecord,
  WorkflowRecord,
  WorkspaceRecord,
} from './records.js';
import type { CompiledWorkflow } from './workflow-config.js';

/** A TaskQueue with its compiled TargetWorkers and the workers it selects. */
export interface LiveQueue {
  record: TaskQueueRecord;
  targetWorkers: Expression;
  members: Set<string>;
}

export interface LiveWorkflow {
  record: WorkflowRecord;
  compiled: CompiledWorkflow;
}

/** A worker with its parsed attributes and how many tasks it holds per channel (reserved, assigned or wrapping). */
export interface LiveWorker {
  record: WorkerRecord;
  attributes: Record<string, unknown>;
  load: Map<string, number>;
  totalLoad: number;
  /** Its total capacity as last counted (totalCapacity), and what it was counted from. */
  capacity?: { of: WorkerRecord['channels']; channels: number; value: number };
  /** Its last-activity time when the candidate sets last placed it (candidates.ts). */
  placedAt?: number;
  /** What its expressions last saw (workerScope), and what it was made from. */
  scope?: { of: Record<string, unknown>; activitySid: string; activityName: string | undefined; friendlyName: string; value: Record<string, unknown> };
}

export interface LiveTask {
  record: TaskRecord;
  attributes: Record<string, unknown>;
  /** Its pending reservations. */
  pending: Set<string>;
  /** The worker it is assigned to (accepted reservation), while assigned or wrapping. */
  reservationSid?: string;
  /** Order of entering its queue, for tasks that entered in the same millisecond. */
  seq: number;
}

/** A worker's capacity on a channel it has not been given one for. */
const DEFAULT_CHANNEL_CAPACITY = Object.freeze({ capacity: 1, available: true });

/** Parses an Attributes JSON text that is known to be an object. */
export function attributesOf(text: string): Record<string, unknown> {
  const v: unknown = JSON.parse(text);
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/**
 * Everything one workspace holds, with the indexes assignment needs:
 * which workers each queue selects, each worker's load per channel, and
 * the tasks waiting for a worker in routing order. Policy (who gets what,
 * and when) is elsewhere; this only keeps the indexes true.
 */
export class WorkspaceState {
  readonly activities = new Map<string, ActivityRecord>();
  readonly channels = new Map<string, TaskChannelRecord>();
  readonly workers = new Map<string, LiveWorker>();
  readonly queues = new Map<string, LiveQueue>();
  readonly workflows = new Map<string, LiveWorkflow>();
  readonly tasks = new Map<string, LiveTask>();
  readonly reservations = new Map<string, ReservationRecord>();
  /** Pending tasks that are in a queue, in the order they are offered to workers. */
  readonly waiting: LiveTask[] = [];
  /** Counts changes of the channels (workers' total capacities depend on them). */
  private channelsVersion = 0;
  /** Per queue and channel, the members that can take a task now. */
  readonly candidates = new Candidates(this);
  private seq = 0;

  constructor(public workspace: WorkspaceRecord) {}

  channelByName(uniqueName: string): TaskChannelRecord | undefined {
    for (const c of this.channels.values()) if (c.uniqueName === uniqueName) return c;
    return undefined;
  }

  activity(sid: string): ActivityRecord | undefined {
    return this.activities.get(sid);
  }

  isAvailable(w: LiveWorker): boolean {
    return this.activities.get(w.record.activitySid)?.available === true;
  }

  /**
   * What a worker's TargetWorkers expressions see: its attributes, and its
   * activity's name and sid. Made once and kept until one of them changes
   * (the assigner asks for it for every candidate of every task).
   */
  workerScope(w: LiveWorker): Record<string, unknown> {
    const activitySid = w.record.activitySid;
    const activityName = this.activities.get(activitySid)?.friendlyName;
    const c = w.scope;
    if (c && c.of === w.attributes && c.activitySid === activitySid && c.activityName === activityName && c.friendlyName === w.record.friendlyName) return c.value;
    const value = { activity_name: activityName, activity_sid: activitySid, sid: w.record.sid, friendly_name: w.record.friendlyName, ...w.attributes };
    w.scope = { of: w.attributes, activitySid, activityName, friendlyName: w.record.friendlyName, value };
    return value;
  }

  capacityOf(w: LiveWorker, channelSid: string): { readonly capacity: number; readonly available: boolean } {
    return w.record.channels[channelSid] ?? DEFAULT_CHANNEL_CAPACITY;
  }

  /** Whether the worker can take one more task of the channel (its activity aside). */
  hasRoom(w: LiveWorker, channelSid: string): boolean {
    if (!this.workspace.multiTaskEnabled) return w.totalLoad === 0;
    const c = this.capacityOf(w, channelSid);
    return c.available && (w.load.get(channelSid) ?? 0) < c.capacity;
  }

  /**
   * How many tasks the worker can hold in all: one when the workspace is not
   * multitasking. Kept until the worker's capacities (a new object when one
   * changes) or the workspace's channels change: the candidate sets ask at
   * every change of the worker's load.
   */
  totalCapacity(w: LiveWorker): number {
    if (!this.workspace.multiTaskEnabled) return 1;
    const c = w.capacity;
    if (c && c.of === w.record.channels && c.channels === this.channelsVersion) return c.value;
    let sum = 0;
    for (const ch of this.channels.values()) {
      const cap = this.capacityOf(w, ch.sid);
      if (cap.available) sum += cap.capacity;
    }
    w.capacity = { of: w.record.channels, channels: this.channelsVersion, value: sum };
    return sum;
  }

  /** The workspace's channels changed (one made or deleted): capacities in all are counted again. */
  channelsChanged(): void {
    this.channelsVersion++;
    this.candidates.reset();
  }

  addLoad(w: LiveWorker, channelSid: string, by: 1 | -1): void {
    const now = Math.max(0, (w.load.get(channelSid) ?? 0) + by);
    w.load.set(channelSid, now);
    w.totalLoad = Math.max(0, w.totalLoad + by);
    this.candidates.touch(w);
  }

  /** The worker's capacity or activity changed: the candidate sets follow. */
  workerChanged(w: LiveWorker): void {
    this.candidates.touch(w);
  }

  /** Puts the worker in (or out of) each queue whose TargetWorkers it meets. */
  refreshMembership(w: LiveWorker): void {
    const scope = { worker: this.workerScope(w), bare: 'worker' as const };
    for (const q of this.queues.values()) {
      if (safeEvaluate(q.targetWorkers, scope)) q.members.add(w.record.sid);
      else q.members.delete(w.record.sid);
    }
    this.candidates.touch(w);
  }

  /** Recomputes one queue's members from scratch. */
  refreshQueue(q: LiveQueue): void {
    this.candidates.resetQueue(q.record.sid);
    q.members.clear();
    for (const w of this.workers.values()) if (safeEvaluate(q.targetWorkers, { worker: this.workerScope(w), bare: 'worker' })) q.members.add(w.record.sid);
  }

  addQueue(record: TaskQueueRecord): LiveQueue {
    const q: LiveQueue = { record, targetWorkers: parseExpression(record.targetWorkers), members: new Set() };
    this.queues.set(record.sid, q);
    this.refreshQueue(q);
    return q;
  }

  /** Where a pending task sits: higher priority first, then the older first (the newer first for a LIFO queue). */
  private before(a: LiveTask, b: LiveTask): boolean {
    if (a.record.priority !== b.record.priority) return a.record.priority > b.record.priority;
    const ta = a.record.taskQueueEnteredAt ?? a.record.dateCreated;
    const tb = b.record.taskQueueEnteredAt ?? b.record.dateCreated;
    const newerFirst = this.lifo(a) && this.lifo(b);
    if (ta !== tb) return newerFirst ? ta > tb : ta < tb;
    return newerFirst ? a.seq > b.seq : a.seq < b.seq;
  }

  private lifo(t: LiveTask): boolean {
    return this.queues.get(t.record.taskQueueSid ?? '')?.record.taskOrder === 'LIFO';
  }

  /** The task entered a queue now: after every task that entered before it. */
  entered(t: LiveTask): void {
    t.seq = ++this.seq;
  }

  /** Adds a task to the waiting list at its place (binary search). */
  wait(t: LiveTask): void {
    this.unwait(t);
    let lo = 0;
    let hi = this.waiting.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.before(this.waiting[mid] as LiveTask, t)) lo = mid + 1;
      else hi = mid;
    }
    this.waiting.splice(lo, 0, t);
  }

  /** Drops the tasks no longer pending from the waiting list, in one sweep (after a pass that reserved many). */
  sweepWaiting(): void {
    let kept = 0;
    for (const t of this.waiting) if (t.record.assignmentStatus === 'pending' && t.record.taskQueueSid !== undefined) this.waiting[kept++] = t;
    this.waiting.length = kept;
  }

  unwait(t: LiveTask): void {
    const i = this.waiting.indexOf(t);
    if (i >= 0) this.waiting.splice(i, 1);
  }
}

/** An expression whose names hold values it cannot compare is not met (never a thrown error during routing). */
export function safeEvaluate(expr: Expression, scope: Parameters<typeof evaluate>[1]): boolean {
  try {
    return evaluate(expr, scope);
  } catch {
    return false;
  }
}
