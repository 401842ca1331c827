import type { EventRecord, WorkspaceRecord } from '../../taskrouter/records.js';
import { iso, wsUrl } from './v1-urls.js';

/** TaskCanceledReason -> task_canceled_reason: the callback's parameter names as the Event resource's event_data keys. */
export function snakeCase(name: string): string {
  return name.replace(/(?<=[a-z0-9])([A-Z])/g, '_$1').toLowerCase();
}

/** The URL of the resource an event is about. */
function resourceUrl(base: string, e: EventRecord): string {
  const ws = e.workspaceSid;
  switch (e.resourceType) {
    case 'Task':
      return wsUrl(base, ws, 'Tasks', e.resourceSid);
    case 'Reservation':
      return e.data.TaskSid !== undefined ? wsUrl(base, ws, 'Tasks', e.data.TaskSid, 'Reservations', e.resourceSid) : wsUrl(base, ws);
    case 'Worker':
      return wsUrl(base, ws, 'Workers', e.resourceSid);
    case 'Activity':
      return wsUrl(base, ws, 'Activities', e.resourceSid);
    case 'TaskQueue':
      return wsUrl(base, ws, 'TaskQueues', e.resourceSid);
    case 'Workflow':
      return wsUrl(base, ws, 'Workflows', e.resourceSid);
    case 'TaskChannel':
      return wsUrl(base, ws, 'TaskChannels', e.resourceSid);
    case 'Workspace':
      return wsUrl(base, ws);
  }
}

/**
 * An Event as Twilio's v1 API shows it: event_data holds the event's
 * callback parameters in snake case with the workspace's name and sid; the
 * actor is the workspace (TaskRouter itself made the change).
 */
export function eventJson(base: string, ws: WorkspaceRecord, e: EventRecord): Record<string, unknown> {
  const data: Record<string, string> = {};
  for (const [name, value] of Object.entries(e.data)) data[snakeCase(name)] = value;
  data.workspace_name = ws.friendlyName;
  data.workspace_sid = ws.sid;
  return {
    account_sid: e.accountSid,
    actor_sid: ws.sid,
    actor_type: 'workspace',
    actor_url: wsUrl(base, ws.sid),
    description: e.description,
    event_data: data,
    event_date: iso(e.eventDate),
    event_date_ms: e.eventDate,
    event_type: e.eventType,
    resource_sid: e.resourceSid,
    resource_type: e.resourceType.toLowerCase(),
    resource_url: resourceUrl(base, e),
    sid: e.sid,
    source: 'twilio',
    source_ip_address: null,
    url: wsUrl(base, ws.sid, 'Events', e.sid),
    workspace_sid: ws.sid,
  };
}
