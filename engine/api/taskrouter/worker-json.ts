import { createHash } from 'node:crypto';
import type { TaskChannelRecord } from '../../taskrouter/records.js';
import type { LiveWorker, WorkspaceState } from '../../taskrouter/workspace-state.js';
import { iso, wsUrl } from './v1-urls.js';

/** A Worker as Twilio's v1 API shows it. */
export function workerJson(base: string, state: WorkspaceState, w: LiveWorker): Record<string, unknown> {
  const ws = state.workspace;
  const r = w.record;
  const url = wsUrl(base, ws.sid, 'Workers', r.sid);
  return {
    account_sid: ws.accountSid,
    activity_name: state.activities.get(r.activitySid)?.friendlyName ?? null,
    activity_sid: r.activitySid,
    attributes: r.attributes,
    available: state.isAvailable(w),
    date_created: iso(r.dateCreated),
    date_status_changed: iso(r.dateStatusChanged),
    date_updated: iso(r.dateUpdated),
    friendly_name: r.friendlyName,
    sid: r.sid,
    url,
    workspace_sid: ws.sid,
    links: {
      channels: `${url}/Channels`,
      activity: wsUrl(base, ws.sid, 'Activities', r.activitySid),
      workspace: wsUrl(base, ws.sid),
      statistics: wsUrl(base, ws.sid, 'Workers', 'Statistics'),
      real_time_statistics: wsUrl(base, ws.sid, 'Workers', 'RealTimeStatistics'),
      cumulative_statistics: wsUrl(base, ws.sid, 'Workers', 'CumulativeStatistics'),
      worker_statistics: `${url}/Statistics`,
      worker_channels: `${url}/Channels`,
      reservations: `${url}/Reservations`,
    },
  };
}

/** The WorkerChannel's SID (WC...): the same for a worker and channel every time, without being stored. */
export function workerChannelSid(workerSid: string, channelSid: string): string {
  return 'WC' + createHash('sha256').update(`${workerSid}:${channelSid}`).digest('hex').slice(0, 32);
}

/** A worker's capacity on one TaskChannel, as Twilio's WorkerChannel resource shows it. */
export function workerChannelJson(base: string, state: WorkspaceState, w: LiveWorker, c: TaskChannelRecord): Record<string, unknown> {
  const ws = state.workspace;
  const cap = state.capacityOf(w, c.sid);
  const assigned = w.load.get(c.sid) ?? 0;
  const sid = workerChannelSid(w.record.sid, c.sid);
  return {
    account_sid: ws.accountSid,
    assigned_tasks: assigned,
    available: cap.available,
    available_capacity_percentage: cap.capacity > 0 ? Math.max(0, Math.floor(((cap.capacity - assigned) * 100) / cap.capacity)) : 0,
    configured_capacity: cap.capacity,
    date_created: iso(Math.max(w.record.dateCreated, c.dateCreated)),
    date_updated: iso(Math.max(w.record.dateUpdated, c.dateUpdated)),
    sid,
    task_channel_sid: c.sid,
    task_channel_unique_name: c.uniqueName,
    url: wsUrl(base, ws.sid, 'Workers', w.record.sid, 'Channels', sid),
    worker_sid: w.record.sid,
    workspace_sid: ws.sid,
  };
}
