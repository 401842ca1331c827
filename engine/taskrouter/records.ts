/**
 * The records of a TaskRouter workspace as the engine keeps them (and the
 * store persists them): Twilio's resources, with Twilio's names in camel
 * case. What the REST API shows is made from these (engine/api/taskrouter).
 */

export type TaskOrder = 'FIFO' | 'LIFO';

export interface WorkspaceRecord {
  kind: 'workspace';
  sid: string;
  accountSid: string;
  friendlyName: string;
  eventCallbackUrl?: string;
  /** Event types sent to the callback; every type when absent. */
  eventsFilter?: string[];
  defaultActivitySid: string;
  timeoutActivitySid: string;
  multiTaskEnabled: boolean;
  prioritizeQueueOrder: TaskOrder;
  dateCreated: number;
  dateUpdated: number;
}

export interface ActivityRecord {
  kind: 'activity';
  sid: string;
  workspaceSid: string;
  friendlyName: string;
  available: boolean;
  dateCreated: number;
  dateUpdated: number;
}

export interface TaskChannelRecord {
  kind: 'channel';
  sid: string;
  workspaceSid: string;
  uniqueName: string;
  friendlyName: string;
  channelOptimizedRouting: boolean;
  dateCreated: number;
  dateUpdated: number;
}

/** A worker's capacity on one task channel. */
export interface WorkerChannelState {
  capacity: number;
  available: boolean;
}

export interface WorkerRecord {
  kind: 'worker';
  sid: string;
  workspaceSid: string;
  friendlyName: string;
  /** The Attributes JSON text as given (an object). */
  attributes: string;
  activitySid: string;
  /** By TaskChannel sid; a channel not listed has its default capacity and is available. */
  channels: Record<string, WorkerChannelState>;
  dateStatusChanged: number;
  dateCreated: number;
  dateUpdated: number;
  /** When the worker last had a task reserved or finished one: the longest idle is chosen first. */
  lastActivityAt: number;
}

export interface TaskQueueRecord {
  kind: 'queue';
  sid: string;
  workspaceSid: string;
  friendlyName: string;
  targetWorkers: string;
  taskOrder: TaskOrder;
  maxReservedWorkers: number;
  reservationActivitySid?: string;
  assignmentActivitySid?: string;
  dateCreated: number;
  dateUpdated: number;
}

export interface WorkflowRecord {
  kind: 'workflow';
  sid: string;
  workspaceSid: string;
  friendlyName: string;
  /** The Configuration JSON text as given. */
  configuration: string;
  assignmentCallbackUrl?: string;
  fallbackAssignmentCallbackUrl?: string;
  taskReservationTimeout: number;
  dateCreated: number;
  dateUpdated: number;
}

export type AssignmentStatus = 'pending' | 'reserved' | 'assigned' | 'wrapping' | 'completed' | 'canceled';

/** Where a task is in its workflow: which filter, which of its targets, since when. */
export interface RoutingPosition {
  /** Index of the matched filter; -1 for the default filter. */
  filter: number;
  target: number;
  /** When the task entered the filter (target timeouts add up from here). */
  filterEnteredAt: number;
}

export interface TaskRecord {
  kind: 'task';
  sid: string;
  workspaceSid: string;
  accountSid: string;
  workflowSid: string;
  /** The Attributes JSON text as given (an object). */
  attributes: string;
  /** As given when the task was made or updated; a target may route it with another. */
  priority: number;
  /** Seconds the task may live before it is canceled. */
  timeout: number;
  taskChannelSid: string;
  assignmentStatus: AssignmentStatus;
  reason?: string;
  taskQueueSid?: string;
  taskQueueEnteredAt?: number;
  routing?: RoutingPosition;
  /** Workers that rejected it or let their reservation lapse: not reserved again for it. */
  declinedBy: string[];
  dateCreated: number;
  dateUpdated: number;
}

export type ReservationStatus = 'pending' | 'accepted' | 'rejected' | 'timeout' | 'canceled' | 'rescinded' | 'wrapping' | 'completed';

export interface ReservationRecord {
  kind: 'reservation';
  sid: string;
  workspaceSid: string;
  accountSid: string;
  taskSid: string;
  workerSid: string;
  workerName: string;
  taskQueueSid: string;
  status: ReservationStatus;
  /** When a pending reservation times out (ms since the epoch). */
  expiresAt: number;
  dateCreated: number;
  dateUpdated: number;
}

export interface EventRecord {
  kind: 'event';
  sid: string;
  workspaceSid: string;
  accountSid: string;
  eventType: string;
  description: string;
  resourceType: 'Task' | 'Reservation' | 'Worker' | 'Activity' | 'TaskQueue' | 'Workflow' | 'Workspace' | 'TaskChannel';
  resourceSid: string;
  /** The event's data as Twilio's callback parameters (TaskSid, WorkerSid, ...). */
  data: Record<string, string>;
  eventDate: number;
}

export type TaskRouterRecord =
  | WorkspaceRecord
  | ActivityRecord
  | TaskChannelRecord
  | WorkerRecord
  | TaskQueueRecord
  | WorkflowRecord
  | TaskRecord
  | ReservationRecord
  | EventRecord;
