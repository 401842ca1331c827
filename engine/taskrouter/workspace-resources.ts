import { invalid, missing, TaskRouterError } from './errors.js';
import { ExpressionError, parseExpression } from './expression/index.js';
import type { ActivityRecord, TaskChannelRecord, TaskOrder, TaskQueueRecord, WorkerRecord, WorkflowRecord } from './records.js';
import { newSid } from './sids.js';
import { compileWorkflow } from './workflow-config.js';
import { checkAttributes } from './task-input.js';
import { Workspace } from './workspace.js';
import { attributesOf, type LiveQueue, type LiveWorker, type LiveWorkflow } from './workspace-state.js';

export interface ActivityInput {
  friendlyName?: string;
  available?: boolean;
}
export interface ChannelInput {
  friendlyName?: string;
  uniqueName?: string;
  channelOptimizedRouting?: boolean;
}
export interface WorkerInput {
  friendlyName?: string;
  attributes?: string;
  activitySid?: string;
  rejectPendingReservations?: boolean;
}
export interface QueueInput {
  friendlyName?: string;
  targetWorkers?: string;
  taskOrder?: TaskOrder;
  maxReservedWorkers?: number;
  reservationActivitySid?: string;
  assignmentActivitySid?: string;
}
export interface WorkflowInput {
  friendlyName?: string;
  configuration?: string;
  assignmentCallbackUrl?: string;
  fallbackAssignmentCallbackUrl?: string;
  taskReservationTimeout?: number;
  /** On update: route the workflow's pending tasks again (Twilio's ReEvaluateTasks). */
  reEvaluateTasks?: boolean;
}

const required = (value: string | undefined, name: string, max = 1024): string => {
  if (value === undefined || value.trim() === '') throw invalid(`${name} is required`);
  if (value.length > max) throw invalid(`${name} is longer than ${max} characters`);
  return value;
};

/** A Workflow's Configuration: a JSON document that names many queues. */
const MAX_CONFIGURATION = 65_536;

function checkExpression(text: string, name: string): void {
  try {
    parseExpression(text);
  } catch (err) {
    if (err instanceof ExpressionError) throw invalid(`${name}: ${err.message}`);
    throw err;
  }
}

/**
 * The resources a customer manages in a workspace: Activities,
 * TaskChannels, Workers, TaskQueues and Workflows, with Twilio's rules
 * (names unique, an activity in use cannot go, a worker holding tasks
 * cannot be deleted, ...). Tasks and Reservations are the Workspace's.
 */
export class WorkspaceResources {
  constructor(private readonly ws: Workspace) {}

  private get state(): Workspace['state'] {
    return this.ws.state;
  }

  private event(eventType: string, resourceType: 'Activity' | 'TaskQueue' | 'Workflow' | 'TaskChannel' | 'Worker', sid: string, description: string, data: Record<string, string> = {}): void {
    this.ws.hooks.event({ eventType, description, resourceType, resourceSid: sid, data });
  }

  // ---- activities

  createActivity(input: ActivityInput): ActivityRecord {
    const friendlyName = required(input.friendlyName, 'FriendlyName');
    for (const a of this.state.activities.values()) if (a.friendlyName === friendlyName) throw invalid(`An Activity named ${friendlyName} already exists`);
    const now = Date.now();
    const a: ActivityRecord = { kind: 'activity', sid: newSid('activity'), workspaceSid: this.ws.sid, friendlyName, available: input.available ?? true, dateCreated: now, dateUpdated: now };
    this.state.activities.set(a.sid, a);
    this.ws.hooks.save(a);
    this.event('activity.created', 'Activity', a.sid, 'Activity created');
    return a;
  }

  activity(sid: string): ActivityRecord {
    const a = this.state.activities.get(sid);
    if (!a) throw missing(`/Workspaces/${this.ws.sid}/Activities/${sid}`);
    return a;
  }

  updateActivity(sid: string, input: ActivityInput): ActivityRecord {
    const a = this.activity(sid);
    if (input.friendlyName !== undefined) {
      const name = required(input.friendlyName, 'FriendlyName');
      for (const other of this.state.activities.values()) if (other !== a && other.friendlyName === name) throw invalid(`An Activity named ${name} already exists`);
      a.friendlyName = name;
    }
    a.dateUpdated = Date.now();
    this.ws.hooks.save(a);
    this.event('activity.updated', 'Activity', a.sid, 'Activity updated');
    return a;
  }

  deleteActivity(sid: string): void {
    const a = this.activity(sid);
    const ws = this.state.workspace;
    if (ws.defaultActivitySid === sid || ws.timeoutActivitySid === sid) throw new TaskRouterError(400, 20001, `Activity ${sid} is the workspace's default or timeout activity and cannot be deleted`);
    for (const w of this.state.workers.values()) if (w.record.activitySid === sid) throw new TaskRouterError(400, 20001, `Activity ${sid} has workers in it and cannot be deleted`);
    for (const q of this.state.queues.values()) {
      if (q.record.reservationActivitySid === sid || q.record.assignmentActivitySid === sid) throw new TaskRouterError(400, 20001, `Activity ${sid} is used by TaskQueue ${q.record.sid} and cannot be deleted`);
    }
    this.state.activities.delete(a.sid);
    this.ws.hooks.drop('activity', a.sid);
    this.event('activity.deleted', 'Activity', a.sid, 'Activity deleted');
  }

  // ---- task channels

  createChannel(input: ChannelInput): TaskChannelRecord {
    const uniqueName = required(input.uniqueName, 'UniqueName');
    const friendlyName = required(input.friendlyName, 'FriendlyName');
    if (this.state.channelByName(uniqueName)) throw invalid(`A TaskChannel with UniqueName ${uniqueName} already exists`);
    const now = Date.now();
    const c: TaskChannelRecord = { kind: 'channel', sid: newSid('channel'), workspaceSid: this.ws.sid, uniqueName, friendlyName, channelOptimizedRouting: input.channelOptimizedRouting ?? false, dateCreated: now, dateUpdated: now };
    this.state.channels.set(c.sid, c);
    // A channel more is room more for every worker (a capacity of one by default).
    this.state.channelsChanged();
    this.ws.hooks.save(c);
    return c;
  }

  channel(sidOrName: string): TaskChannelRecord {
    const c = this.state.channels.get(sidOrName) ?? this.state.channelByName(sidOrName);
    if (!c) throw missing(`/Workspaces/${this.ws.sid}/TaskChannels/${sidOrName}`);
    return c;
  }

  updateChannel(sid: string, input: ChannelInput): TaskChannelRecord {
    const c = this.channel(sid);
    if (input.friendlyName !== undefined) c.friendlyName = required(input.friendlyName, 'FriendlyName');
    if (input.channelOptimizedRouting !== undefined) c.channelOptimizedRouting = input.channelOptimizedRouting;
    c.dateUpdated = Date.now();
    this.ws.hooks.save(c);
    return c;
  }

  deleteChannel(sid: string): void {
    const c = this.channel(sid);
    for (const t of this.state.tasks.values()) if (t.record.taskChannelSid === c.sid && Workspace.open(t.record)) throw new TaskRouterError(400, 20001, `TaskChannel ${c.uniqueName} has tasks waiting and cannot be deleted`);
    this.state.channels.delete(c.sid);
    this.state.channelsChanged();
    this.ws.hooks.drop('channel', c.sid);
  }

  // ---- workers

  createWorker(input: WorkerInput): LiveWorker {
    const friendlyName = required(input.friendlyName, 'FriendlyName');
    for (const w of this.state.workers.values()) if (w.record.friendlyName === friendlyName) throw invalid(`A Worker named ${friendlyName} already exists`);
    const attributes = checkAttributes(input.attributes ?? '{}');
    const activitySid = input.activitySid ?? this.state.workspace.defaultActivitySid;
    if (!this.state.activities.has(activitySid)) throw invalid(`ActivitySid ${activitySid} is not an Activity of this workspace`);
    const now = Date.now();
    const record: WorkerRecord = { kind: 'worker', sid: newSid('worker'), workspaceSid: this.ws.sid, friendlyName, attributes, activitySid, channels: {}, dateStatusChanged: now, dateCreated: now, dateUpdated: now, lastActivityAt: now };
    const w: LiveWorker = { record, attributes: attributesOf(attributes), load: new Map(), totalLoad: 0 };
    this.state.workers.set(record.sid, w);
    this.state.refreshMembership(w);
    this.ws.saveWorker(w);
    this.event('worker.created', 'Worker', record.sid, 'Worker created', { WorkerSid: record.sid, WorkerName: friendlyName, WorkerAttributes: attributes, WorkerActivitySid: activitySid });
    if (this.state.isAvailable(w)) this.ws.schedule();
    return w;
  }

  worker(sid: string): LiveWorker {
    const w = this.state.workers.get(sid);
    if (!w) throw missing(`/Workspaces/${this.ws.sid}/Workers/${sid}`);
    return w;
  }

  updateWorker(sid: string, input: WorkerInput): LiveWorker {
    const w = this.worker(sid);
    if (input.activitySid !== undefined && !this.state.activities.has(input.activitySid)) throw invalid(`ActivitySid ${input.activitySid} is not an Activity of this workspace`);
    if (input.attributes !== undefined) checkAttributes(input.attributes);
    if (input.friendlyName !== undefined) {
      const name = required(input.friendlyName, 'FriendlyName');
      for (const other of this.state.workers.values()) if (other !== w && other.record.friendlyName === name) throw invalid(`A Worker named ${name} already exists`);
      w.record.friendlyName = name;
    }
    if (input.attributes !== undefined && input.attributes !== w.record.attributes) {
      w.record.attributes = input.attributes;
      w.attributes = attributesOf(input.attributes);
      this.state.refreshMembership(w);
      this.event('worker.attributes.update', 'Worker', w.record.sid, 'Worker attributes updated', { WorkerSid: w.record.sid, WorkerAttributes: w.record.attributes });
      this.ws.schedule();
    }
    w.record.dateUpdated = Date.now();
    if (input.activitySid !== undefined) this.ws.setActivity(w, input.activitySid, input.rejectPendingReservations === true);
    else this.ws.saveWorker(w);
    return w;
  }

  deleteWorker(sid: string): void {
    const w = this.worker(sid);
    if (w.totalLoad > 0) throw new TaskRouterError(400, 20001, `Worker ${sid} has reserved or assigned tasks and cannot be deleted`);
    this.state.workers.delete(sid);
    for (const q of this.state.queues.values()) q.members.delete(sid);
    this.state.candidates.drop(w);
    this.ws.hooks.drop('worker', sid);
    this.event('worker.deleted', 'Worker', sid, 'Worker deleted', { WorkerSid: sid, WorkerName: w.record.friendlyName });
  }

  /** A worker's capacity on one channel (WorkerChannel update). */
  updateWorkerChannel(workerSid: string, channelSid: string, input: { capacity?: number; available?: boolean }): LiveWorker {
    const w = this.worker(workerSid);
    const c = this.channel(channelSid);
    const now = { ...this.state.capacityOf(w, c.sid) };
    if (input.capacity !== undefined) {
      if (!Number.isInteger(input.capacity) || input.capacity < 0 || input.capacity > 50) throw invalid('Capacity must be an integer from 0 to 50');
      if (c.uniqueName === 'voice' && input.capacity > 1) throw invalid('Capacity of the voice channel is at most 1');
      now.capacity = input.capacity;
    }
    if (input.available !== undefined) now.available = input.available;
    w.record.channels = { ...w.record.channels, [c.sid]: now };
    w.record.dateUpdated = Date.now();
    this.state.workerChanged(w);
    this.ws.saveWorker(w);
    this.event('worker.capacity.update', 'Worker', w.record.sid, 'Worker channel updated', { WorkerSid: w.record.sid, TaskChannelSid: c.sid, WorkerChannelCapacity: String(now.capacity), WorkerChannelAvailable: String(now.available) });
    this.ws.schedule();
    return w;
  }

  // ---- task queues

  private checkActivity(sid: string | undefined, name: string): void {
    if (sid !== undefined && !this.state.activities.has(sid)) throw invalid(`${name} ${sid} is not an Activity of this workspace`);
  }

  createQueue(input: QueueInput): LiveQueue {
    const friendlyName = required(input.friendlyName, 'FriendlyName');
    for (const q of this.state.queues.values()) if (q.record.friendlyName === friendlyName) throw invalid(`A TaskQueue named ${friendlyName} already exists`);
    const targetWorkers = input.targetWorkers ?? '1==1';
    checkExpression(targetWorkers, 'TargetWorkers');
    this.checkActivity(input.reservationActivitySid, 'ReservationActivitySid');
    this.checkActivity(input.assignmentActivitySid, 'AssignmentActivitySid');
    const maxReservedWorkers = input.maxReservedWorkers ?? 1;
    if (!Number.isInteger(maxReservedWorkers) || maxReservedWorkers < 1 || maxReservedWorkers > 50) throw invalid('MaxReservedWorkers must be an integer from 1 to 50');
    const now = Date.now();
    const record: TaskQueueRecord = {
      kind: 'queue',
      sid: newSid('queue'),
      workspaceSid: this.ws.sid,
      friendlyName,
      targetWorkers,
      taskOrder: input.taskOrder ?? 'FIFO',
      maxReservedWorkers,
      ...(input.reservationActivitySid !== undefined ? { reservationActivitySid: input.reservationActivitySid } : {}),
      ...(input.assignmentActivitySid !== undefined ? { assignmentActivitySid: input.assignmentActivitySid } : {}),
      dateCreated: now,
      dateUpdated: now,
    };
    const q = this.state.addQueue(record);
    this.ws.hooks.save(record);
    this.event('task-queue.created', 'TaskQueue', record.sid, 'TaskQueue created');
    return q;
  }

  queue(sid: string): LiveQueue {
    const q = this.state.queues.get(sid);
    if (!q) throw missing(`/Workspaces/${this.ws.sid}/TaskQueues/${sid}`);
    return q;
  }

  updateQueue(sid: string, input: QueueInput): LiveQueue {
    const q = this.queue(sid);
    if (input.targetWorkers !== undefined) checkExpression(input.targetWorkers, 'TargetWorkers');
    this.checkActivity(input.reservationActivitySid, 'ReservationActivitySid');
    this.checkActivity(input.assignmentActivitySid, 'AssignmentActivitySid');
    if (input.maxReservedWorkers !== undefined && (!Number.isInteger(input.maxReservedWorkers) || input.maxReservedWorkers < 1 || input.maxReservedWorkers > 50)) throw invalid('MaxReservedWorkers must be an integer from 1 to 50');
    const r = q.record;
    if (input.friendlyName !== undefined) r.friendlyName = required(input.friendlyName, 'FriendlyName');
    if (input.taskOrder !== undefined) r.taskOrder = input.taskOrder;
    if (input.maxReservedWorkers !== undefined) r.maxReservedWorkers = input.maxReservedWorkers;
    if (input.reservationActivitySid !== undefined) r.reservationActivitySid = input.reservationActivitySid;
    if (input.assignmentActivitySid !== undefined) r.assignmentActivitySid = input.assignmentActivitySid;
    if (input.targetWorkers !== undefined && input.targetWorkers !== r.targetWorkers) {
      r.targetWorkers = input.targetWorkers;
      q.targetWorkers = parseExpression(input.targetWorkers);
      this.state.refreshQueue(q);
      this.ws.schedule();
    }
    r.dateUpdated = Date.now();
    this.ws.hooks.save(r);
    this.event('task-queue.updated', 'TaskQueue', r.sid, 'TaskQueue updated');
    return q;
  }

  deleteQueue(sid: string): void {
    const q = this.queue(sid);
    for (const wf of this.state.workflows.values()) {
      const c = wf.compiled;
      if (c.defaultQueueSid === sid || c.filters.some((f) => f.targets.some((t) => t.queueSid === sid))) throw new TaskRouterError(400, 20001, `TaskQueue ${sid} is used by Workflow ${wf.record.sid} and cannot be deleted`);
    }
    for (const t of this.state.tasks.values()) if (t.record.taskQueueSid === sid && Workspace.open(t.record)) throw new TaskRouterError(400, 20001, `TaskQueue ${sid} has tasks waiting and cannot be deleted`);
    this.state.queues.delete(q.record.sid);
    this.state.candidates.resetQueue(sid);
    this.ws.hooks.drop('queue', sid);
    this.event('task-queue.deleted', 'TaskQueue', sid, 'TaskQueue deleted');
  }

  // ---- workflows

  createWorkflow(input: WorkflowInput): LiveWorkflow {
    const friendlyName = required(input.friendlyName, 'FriendlyName');
    const configuration = required(input.configuration, 'Configuration', MAX_CONFIGURATION);
    const compiled = compileWorkflow(configuration, (sid) => this.state.queues.has(sid));
    const timeout = input.taskReservationTimeout ?? 120;
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 86_400) throw invalid('TaskReservationTimeout must be an integer from 1 to 86400');
    const now = Date.now();
    const record: WorkflowRecord = {
      kind: 'workflow',
      sid: newSid('workflow'),
      workspaceSid: this.ws.sid,
      friendlyName,
      configuration,
      ...(input.assignmentCallbackUrl ? { assignmentCallbackUrl: input.assignmentCallbackUrl } : {}),
      ...(input.fallbackAssignmentCallbackUrl ? { fallbackAssignmentCallbackUrl: input.fallbackAssignmentCallbackUrl } : {}),
      taskReservationTimeout: timeout,
      dateCreated: now,
      dateUpdated: now,
    };
    const wf: LiveWorkflow = { record, compiled };
    this.state.workflows.set(record.sid, wf);
    this.ws.hooks.save(record);
    this.event('workflow.created', 'Workflow', record.sid, 'Workflow created');
    return wf;
  }

  workflow(sid: string): LiveWorkflow {
    const wf = this.state.workflows.get(sid);
    if (!wf) throw missing(`/Workspaces/${this.ws.sid}/Workflows/${sid}`);
    return wf;
  }

  updateWorkflow(sid: string, input: WorkflowInput): LiveWorkflow {
    const wf = this.workflow(sid);
    const compiled = input.configuration !== undefined ? compileWorkflow(required(input.configuration, 'Configuration', MAX_CONFIGURATION), (q) => this.state.queues.has(q)) : undefined;
    if (input.taskReservationTimeout !== undefined && (!Number.isInteger(input.taskReservationTimeout) || input.taskReservationTimeout < 1 || input.taskReservationTimeout > 86_400)) {
      throw invalid('TaskReservationTimeout must be an integer from 1 to 86400');
    }
    const r = wf.record;
    if (input.friendlyName !== undefined) r.friendlyName = required(input.friendlyName, 'FriendlyName');
    if (input.assignmentCallbackUrl !== undefined) r.assignmentCallbackUrl = input.assignmentCallbackUrl || undefined;
    if (input.fallbackAssignmentCallbackUrl !== undefined) r.fallbackAssignmentCallbackUrl = input.fallbackAssignmentCallbackUrl || undefined;
    if (input.taskReservationTimeout !== undefined) r.taskReservationTimeout = input.taskReservationTimeout;
    if (compiled && input.configuration !== undefined) {
      r.configuration = input.configuration;
      wf.compiled = compiled;
    }
    r.dateUpdated = Date.now();
    this.ws.hooks.save(r);
    this.event('workflow.updated', 'Workflow', r.sid, 'Workflow updated');
    // ReEvaluateTasks: the workflow's waiting tasks are routed again, by the configuration as it is now.
    if (input.reEvaluateTasks) {
      const now = Date.now();
      for (const t of [...this.state.tasks.values()]) if (t.record.workflowSid === sid && t.record.assignmentStatus === 'pending') this.ws.route(t, now);
    }
    return wf;
  }

  deleteWorkflow(sid: string): void {
    this.workflow(sid);
    for (const t of this.state.tasks.values()) if (t.record.workflowSid === sid && t.record.assignmentStatus !== 'completed' && t.record.assignmentStatus !== 'canceled') throw new TaskRouterError(400, 20001, `Workflow ${sid} has tasks that are not finished and cannot be deleted`);
    this.state.workflows.delete(sid);
    this.ws.hooks.drop('workflow', sid);
    this.event('workflow.deleted', 'Workflow', sid, 'Workflow deleted');
  }
}
