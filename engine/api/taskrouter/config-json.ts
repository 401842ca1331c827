import type { ActivityRecord, TaskChannelRecord, WorkspaceRecord } from '../../taskrouter/records.js';
import type { LiveQueue, LiveWorkflow, WorkspaceState } from '../../taskrouter/workspace-state.js';
import { iso, wsUrl } from './v1-urls.js';

/** Activities, TaskChannels, TaskQueues and Workflows as Twilio's v1 API shows them. */

export function activityJson(base: string, ws: WorkspaceRecord, a: ActivityRecord): Record<string, unknown> {
  return {
    account_sid: ws.accountSid,
    available: a.available,
    date_created: iso(a.dateCreated),
    date_updated: iso(a.dateUpdated),
    friendly_name: a.friendlyName,
    sid: a.sid,
    url: wsUrl(base, ws.sid, 'Activities', a.sid),
    workspace_sid: ws.sid,
    links: { workspace: wsUrl(base, ws.sid) },
  };
}

export function channelJson(base: string, ws: WorkspaceRecord, c: TaskChannelRecord): Record<string, unknown> {
  return {
    account_sid: ws.accountSid,
    date_created: iso(c.dateCreated),
    date_updated: iso(c.dateUpdated),
    friendly_name: c.friendlyName,
    sid: c.sid,
    unique_name: c.uniqueName,
    url: wsUrl(base, ws.sid, 'TaskChannels', c.sid),
    workspace_sid: ws.sid,
    channel_optimized_routing: c.channelOptimizedRouting,
    links: { workspace: wsUrl(base, ws.sid) },
  };
}

export function queueJson(base: string, state: WorkspaceState, q: LiveQueue): Record<string, unknown> {
  const ws = state.workspace;
  const r = q.record;
  const activity = (sid: string | undefined): string | null => (sid === undefined ? null : (state.activities.get(sid)?.friendlyName ?? null));
  const url = wsUrl(base, ws.sid, 'TaskQueues', r.sid);
  return {
    account_sid: ws.accountSid,
    assignment_activity_name: activity(r.assignmentActivitySid),
    assignment_activity_sid: r.assignmentActivitySid ?? null,
    date_created: iso(r.dateCreated),
    date_updated: iso(r.dateUpdated),
    friendly_name: r.friendlyName,
    max_reserved_workers: r.maxReservedWorkers,
    links: {
      ...(r.assignmentActivitySid !== undefined ? { assignment_activity: wsUrl(base, ws.sid, 'Activities', r.assignmentActivitySid) } : {}),
      ...(r.reservationActivitySid !== undefined ? { reservation_activity: wsUrl(base, ws.sid, 'Activities', r.reservationActivitySid) } : {}),
      workspace: wsUrl(base, ws.sid),
      statistics: `${url}/Statistics`,
      real_time_statistics: `${url}/RealTimeStatistics`,
      cumulative_statistics: `${url}/CumulativeStatistics`,
      list_statistics: wsUrl(base, ws.sid, 'TaskQueues', 'Statistics'),
    },
    reservation_activity_name: activity(r.reservationActivitySid),
    reservation_activity_sid: r.reservationActivitySid ?? null,
    sid: r.sid,
    target_workers: r.targetWorkers,
    task_order: r.taskOrder,
    url,
    workspace_sid: ws.sid,
  };
}

export function workflowJson(base: string, ws: WorkspaceRecord, wf: LiveWorkflow): Record<string, unknown> {
  const r = wf.record;
  const url = wsUrl(base, ws.sid, 'Workflows', r.sid);
  return {
    account_sid: ws.accountSid,
    assignment_callback_url: r.assignmentCallbackUrl ?? null,
    configuration: r.configuration,
    date_created: iso(r.dateCreated),
    date_updated: iso(r.dateUpdated),
    document_content_type: 'application/json',
    fallback_assignment_callback_url: r.fallbackAssignmentCallbackUrl ?? null,
    friendly_name: r.friendlyName,
    sid: r.sid,
    task_reservation_timeout: r.taskReservationTimeout,
    url,
    workspace_sid: ws.sid,
    links: {
      statistics: `${url}/Statistics`,
      real_time_statistics: `${url}/RealTimeStatistics`,
      cumulative_statistics: `${url}/CumulativeStatistics`,
    },
  };
}
