import { ageSeconds } from '../../taskrouter/event-params.js';
import type { ReservationRecord } from '../../taskrouter/records.js';
import type { LiveTask, WorkspaceState } from '../../taskrouter/workspace-state.js';
import { iso, isoOrNull, wsUrl } from './v1-urls.js';

/** A Task as Twilio's v1 API shows it. */
export function taskJson(base: string, state: WorkspaceState, t: LiveTask, now = Date.now()): Record<string, unknown> {
  const ws = state.workspace;
  const r = t.record;
  const queue = r.taskQueueSid !== undefined ? state.queues.get(r.taskQueueSid) : undefined;
  const url = wsUrl(base, ws.sid, 'Tasks', r.sid);
  return {
    account_sid: r.accountSid,
    addons: '{}',
    age: ageSeconds(r.dateCreated, now),
    assignment_status: r.assignmentStatus,
    attributes: r.attributes,
    date_created: iso(r.dateCreated),
    date_updated: iso(r.dateUpdated),
    ignore_capacity: false,
    priority: r.priority,
    reason: r.reason ?? null,
    routing_target: null,
    sid: r.sid,
    task_channel_sid: r.taskChannelSid,
    task_channel_unique_name: state.channels.get(r.taskChannelSid)?.uniqueName ?? null,
    task_queue_entered_date: r.taskQueueSid !== undefined ? isoOrNull(r.taskQueueEnteredAt) : null,
    task_queue_friendly_name: queue?.record.friendlyName ?? null,
    task_queue_sid: r.taskQueueSid ?? null,
    timeout: r.timeout,
    url,
    virtual_start_time: iso(r.dateCreated),
    workflow_friendly_name: state.workflows.get(r.workflowSid)?.record.friendlyName ?? null,
    workflow_sid: r.workflowSid,
    workspace_sid: ws.sid,
    links: {
      ...(r.taskQueueSid !== undefined ? { task_queue: wsUrl(base, ws.sid, 'TaskQueues', r.taskQueueSid) } : {}),
      workflow: wsUrl(base, ws.sid, 'Workflows', r.workflowSid),
      workspace: wsUrl(base, ws.sid),
      reservations: `${url}/Reservations`,
    },
  };
}

/** A Reservation as Twilio's v1 API shows it, under the Task's or the Worker's path. */
export function reservationJson(base: string, r: ReservationRecord, via: 'task' | 'worker'): Record<string, unknown> {
  const ws = r.workspaceSid;
  return {
    account_sid: r.accountSid,
    date_created: iso(r.dateCreated),
    date_updated: iso(r.dateUpdated),
    links: {
      task: wsUrl(base, ws, 'Tasks', r.taskSid),
      worker: wsUrl(base, ws, 'Workers', r.workerSid),
      workspace: wsUrl(base, ws),
    },
    reservation_status: r.status,
    sid: r.sid,
    task_sid: r.taskSid,
    url: via === 'task' ? wsUrl(base, ws, 'Tasks', r.taskSid, 'Reservations', r.sid) : wsUrl(base, ws, 'Workers', r.workerSid, 'Reservations', r.sid),
    worker_name: r.workerName,
    worker_sid: r.workerSid,
    workspace_sid: ws,
  };
}
