import type { Logger } from 'pino';
import type { TaskRouterStore } from '../store/taskrouter-store.js';
import { byWorkspace } from '../store/taskrouter-store.js';
import type { WebhookTransport } from '../webhooks/http-transport.js';
import { AssignmentCallback } from './assignment-callback.js';
import { invalid, missing } from './errors.js';
import { EventCallbacks } from './event-callbacks.js';
import type { ReservationInstruction } from './instructions.js';
import type { EventRecord, TaskOrder, WorkspaceRecord } from './records.js';
import { ReservationInstructions } from './reservation-instructions.js';
import { newSid } from './sids.js';
import type { TaskCalls } from './task-calls.js';
import { Workspace, type WorkspaceHooks } from './workspace.js';
import { WorkspaceResources } from './workspace-resources.js';
import { restoreWorkspace } from './workspace-restore.js';
import { WorkspaceState } from './workspace-state.js';

export interface WorkspaceInput {
  friendlyName?: string;
  eventCallbackUrl?: string;
  eventsFilter?: string[];
  defaultActivitySid?: string;
  timeoutActivitySid?: string;
  multiTaskEnabled?: boolean;
  prioritizeQueueOrder?: TaskOrder;
}

export interface TaskRouterDeps {
  store: TaskRouterStore;
  transport: WebhookTransport;
  /** The account's auth token (signs callbacks); undefined for an account the engine does not know. */
  authTokenFor(accountSid: string): string | undefined;
  /** The call side (dequeue, call, redirect, conference instructions); without it those instructions are refused. */
  calls?: TaskCalls;
  log: Logger;
  /** Events kept per workspace for the Events resource (the oldest go first). */
  maxEvents?: number;
}

/** A workspace with what works on it. */
export interface WorkspaceEntry {
  ws: Workspace;
  resources: WorkspaceResources;
  events: EventRecord[];
}

/** Past the events kept, this many more may be held before the oldest go (all at once). */
const EVENTS_TRIM = 512;

/** The activities a new workspace has, as Twilio makes them. */
const DEFAULT_ACTIVITIES: readonly { name: string; available: boolean }[] = [
  { name: 'Offline', available: false },
  { name: 'Available', available: true },
  { name: 'Unavailable', available: false },
];
/** The task channels a new workspace has. */
const DEFAULT_CHANNELS: readonly { unique: string; name: string }[] = [
  { unique: 'default', name: 'Default' },
  { unique: 'voice', name: 'Voice' },
  { unique: 'sms', name: 'SMS' },
  { unique: 'chat', name: 'Chat' },
  { unique: 'video', name: 'Video' },
  { unique: 'email', name: 'Email' },
];

/** The events of a reservation that ended without its worker. */
const RESERVATION_ENDS = new Set(['reservation.timeout', 'reservation.rejected', 'reservation.canceled', 'reservation.rescinded']);

/**
 * TaskRouter as Twilio runs it: workspaces of an account and everything in
 * them, their events (kept, and sent to the EventCallbackUrl), the
 * assignment callback of each reservation and the instruction it answers.
 * Each workspace is held in this engine's memory; every change is written
 * to the store behind the work, and loaded again at start.
 */
export class TaskRouterService {
  private readonly entries = new Map<string, WorkspaceEntry>();
  private readonly callbacks: EventCallbacks;
  private readonly assignment: AssignmentCallback;
  readonly instructions: ReservationInstructions;
  private readonly maxEvents: number;

  constructor(private readonly deps: TaskRouterDeps) {
    this.maxEvents = deps.maxEvents ?? 10_000;
    this.callbacks = new EventCallbacks(deps.transport, deps.authTokenFor, deps.log);
    this.instructions = new ReservationInstructions(this, deps.calls, deps.log);
    this.assignment = new AssignmentCallback(deps.transport, deps.authTokenFor, deps.log, (entry, reservationSid, instruction) =>
      this.instructions.run(entry, reservationSid, instruction),
    );
  }

  /** Loads the stored workspaces. */
  async start(): Promise<void> {
    const records = await this.deps.store.load();
    for (const [sid, list] of byWorkspace(records)) {
      const record = list.find((r): r is WorkspaceRecord => r.kind === 'workspace');
      if (!record) continue;
      try {
        const events: EventRecord[] = [];
        const entry = {} as WorkspaceEntry;
        const { ws, events: stored } = restoreWorkspace(record, list, this.hooksFor(record.sid, () => entry));
        // The store may keep a few more than the number kept (it trims in bulk): the newest of them stay.
        for (let i = Math.max(0, stored.length - this.maxEvents); i < stored.length; i++) events.push(stored[i] as EventRecord);
        Object.assign(entry, { ws, resources: new WorkspaceResources(ws), events });
        this.entries.set(sid, entry);
      } catch (err) {
        this.deps.log.error({ workspaceSid: sid, reason: (err as Error).message }, 'a stored TaskRouter workspace could not be loaded');
      }
    }
    if (this.entries.size > 0) this.deps.log.info({ workspaces: this.entries.size }, 'TaskRouter workspaces loaded');
  }

  /** Stops every workspace's timers and forgets them (start() loads them again, as another engine left them). */
  close(): void {
    for (const e of this.entries.values()) e.ws.close();
    this.entries.clear();
    // What the store holds back goes now, before the store itself may be closed.
    this.deps.store.flush();
  }

  private hooksFor(workspaceSid: string, entry: () => WorkspaceEntry): WorkspaceHooks {
    const store = this.deps.store;
    return {
      save: (r) => store.put(r),
      drop: (_kind, sid) => store.remove(workspaceSid, sid),
      event: (e) => this.recordEvent(entry(), e),
      reserved: (r, t, w) => this.assignment.send(entry(), r, t, w),
      taskEnded: (t) => this.instructions.taskEnded(t),
      settled: () => store.idle(),
    };
  }

  private recordEvent(entry: WorkspaceEntry, e: Parameters<WorkspaceHooks['event']>[0]): void {
    const ws = entry.ws.state.workspace;
    // Field by field: a spread of `e` costs more, and this runs ten times a task.
    const record: EventRecord = {
      kind: 'event',
      sid: newSid('event'),
      workspaceSid: ws.sid,
      accountSid: ws.accountSid,
      eventDate: Date.now(),
      eventType: e.eventType,
      description: e.description,
      resourceType: e.resourceType,
      resourceSid: e.resourceSid,
      data: e.data,
    };
    entry.events.push(record);
    // The store keeps its own log, trimmed in bulk. In memory the oldest go EVENTS_TRIM at a time: a shift()
    // per event copied the whole list whenever V8 could not move the array's start (measured: 6 % of the CPU).
    this.deps.store.addEvent(record, this.maxEvents);
    if (entry.events.length >= this.maxEvents + EVENTS_TRIM) entry.events.splice(0, entry.events.length - this.maxEvents);
    this.callbacks.send(ws, record);
    // A reservation that ended without its worker: a call still ringing that worker's phone is cancelled.
    if (e.resourceType === 'Reservation' && RESERVATION_ENDS.has(e.eventType)) this.instructions.reservationEnded(e.resourceSid, e.eventType);
  }

  // ---- workspaces

  createWorkspace(accountSid: string, input: WorkspaceInput): WorkspaceEntry {
    const friendlyName = input.friendlyName?.trim();
    if (!friendlyName) throw invalid('FriendlyName is required');
    for (const e of this.entries.values()) {
      const w = e.ws.state.workspace;
      if (w.accountSid === accountSid && w.friendlyName === friendlyName) throw invalid(`A Workspace named ${friendlyName} already exists`);
    }
    const now = Date.now();
    const sid = newSid('workspace');
    const record: WorkspaceRecord = {
      kind: 'workspace',
      sid,
      accountSid,
      friendlyName,
      ...(input.eventCallbackUrl ? { eventCallbackUrl: input.eventCallbackUrl } : {}),
      ...(input.eventsFilter ? { eventsFilter: input.eventsFilter } : {}),
      defaultActivitySid: '',
      timeoutActivitySid: '',
      multiTaskEnabled: input.multiTaskEnabled ?? true,
      prioritizeQueueOrder: input.prioritizeQueueOrder ?? 'FIFO',
      dateCreated: now,
      dateUpdated: now,
    };
    const state = new WorkspaceState(record);
    const entry = {} as WorkspaceEntry;
    const ws = new Workspace(state, this.hooksFor(sid, () => entry));
    Object.assign(entry, { ws, resources: new WorkspaceResources(ws), events: [] });
    this.entries.set(sid, entry);
    this.deps.store.put(record);
    for (const a of DEFAULT_ACTIVITIES) entry.resources.createActivity({ friendlyName: a.name, available: a.available });
    for (const c of DEFAULT_CHANNELS) entry.resources.createChannel({ uniqueName: c.unique, friendlyName: c.name });
    const offline = [...state.activities.values()].find((a) => a.friendlyName === 'Offline')?.sid ?? '';
    record.defaultActivitySid = offline;
    record.timeoutActivitySid = offline;
    this.deps.store.put(record);
    return entry;
  }

  /** The account's workspace; 404 for one that is not there (or another account's). */
  entry(accountSid: string, sid: string): WorkspaceEntry {
    const e = this.entries.get(sid);
    if (!e || e.ws.state.workspace.accountSid !== accountSid) throw missing(`/v1/Workspaces/${sid}`);
    return e;
  }

  list(accountSid: string, friendlyName?: string): WorkspaceRecord[] {
    const out: WorkspaceRecord[] = [];
    for (const e of this.entries.values()) {
      const w = e.ws.state.workspace;
      if (w.accountSid === accountSid && (friendlyName === undefined || w.friendlyName === friendlyName)) out.push(w);
    }
    return out;
  }

  updateWorkspace(accountSid: string, sid: string, input: WorkspaceInput): WorkspaceRecord {
    const e = this.entry(accountSid, sid);
    const w = e.ws.state.workspace;
    for (const [name, value] of [['DefaultActivitySid', input.defaultActivitySid], ['TimeoutActivitySid', input.timeoutActivitySid]] as const) {
      if (value !== undefined && !e.ws.state.activities.has(value)) throw invalid(`${name} ${value} is not an Activity of this workspace`);
    }
    if (input.friendlyName !== undefined) {
      const name = input.friendlyName.trim();
      if (!name) throw invalid('FriendlyName must not be empty');
      w.friendlyName = name;
    }
    if (input.eventCallbackUrl !== undefined) w.eventCallbackUrl = input.eventCallbackUrl || undefined;
    if (input.eventsFilter !== undefined) w.eventsFilter = input.eventsFilter.length > 0 ? input.eventsFilter : undefined;
    if (input.defaultActivitySid !== undefined) w.defaultActivitySid = input.defaultActivitySid;
    if (input.timeoutActivitySid !== undefined) w.timeoutActivitySid = input.timeoutActivitySid;
    if (input.multiTaskEnabled !== undefined && input.multiTaskEnabled !== w.multiTaskEnabled) {
      w.multiTaskEnabled = input.multiTaskEnabled;
      // Every worker's room is counted another way now.
      e.ws.state.candidates.reset();
    }
    if (input.prioritizeQueueOrder !== undefined) w.prioritizeQueueOrder = input.prioritizeQueueOrder;
    w.dateUpdated = Date.now();
    this.deps.store.put(w);
    return w;
  }

  deleteWorkspace(accountSid: string, sid: string): void {
    const e = this.entry(accountSid, sid);
    e.ws.close();
    this.entries.delete(sid);
    this.deps.store.removeWorkspace(sid);
  }

  /** A reservation's update by REST: ReservationStatus accepted or rejected, or an Instruction. */
  async updateReservation(entry: WorkspaceEntry, reservationSid: string, change: { status?: 'accepted' | 'rejected'; activitySid?: string; instruction?: ReservationInstruction }): Promise<void> {
    if (change.instruction) return this.instructions.run(entry, reservationSid, change.instruction, true);
    if (change.status === 'accepted') entry.ws.accept(reservationSid);
    else if (change.status === 'rejected') entry.ws.reject(reservationSid, change.activitySid);
  }

  /** Finds the workspace a reservation is in (for a <Dial><Queue reservationSid>). */
  findReservation(accountSid: string, reservationSid: string): WorkspaceEntry | undefined {
    for (const e of this.entries.values()) {
      if (e.ws.state.workspace.accountSid === accountSid && e.ws.state.reservations.has(reservationSid)) return e;
    }
    return undefined;
  }

  /** The workspace a task is in (for a caller that left its queue). */
  findTask(accountSid: string, taskSid: string): WorkspaceEntry | undefined {
    for (const e of this.entries.values()) {
      if (e.ws.state.workspace.accountSid === accountSid && e.ws.state.tasks.has(taskSid)) return e;
    }
    return undefined;
  }

  /** The workspace of a workflow (for <Enqueue workflowSid>). */
  findWorkflow(accountSid: string, workflowSid: string): WorkspaceEntry | undefined {
    for (const e of this.entries.values()) {
      if (e.ws.state.workspace.accountSid === accountSid && e.ws.state.workflows.has(workflowSid)) return e;
    }
    return undefined;
  }
}
