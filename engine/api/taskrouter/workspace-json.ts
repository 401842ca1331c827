import type { WorkspaceEntry } from '../../taskrouter/taskrouter-service.js';
import { iso, wsUrl } from './v1-urls.js';

/** A Workspace as Twilio's v1 API shows it (twilio's WorkspaceInstance reads these keys). */
export function workspaceJson(base: string, entry: WorkspaceEntry): Record<string, unknown> {
  const state = entry.ws.state;
  const w = state.workspace;
  const url = wsUrl(base, w.sid);
  const sub = (name: string): string => `${url}/${name}`;
  return {
    account_sid: w.accountSid,
    date_created: iso(w.dateCreated),
    date_updated: iso(w.dateUpdated),
    default_activity_name: state.activities.get(w.defaultActivitySid)?.friendlyName ?? null,
    default_activity_sid: w.defaultActivitySid || null,
    event_callback_url: w.eventCallbackUrl ?? '',
    events_filter: w.eventsFilter && w.eventsFilter.length > 0 ? w.eventsFilter.join(',') : null,
    friendly_name: w.friendlyName,
    links: {
      activities: sub('Activities'),
      statistics: sub('Statistics'),
      real_time_statistics: sub('RealTimeStatistics'),
      cumulative_statistics: sub('CumulativeStatistics'),
      task_queues: sub('TaskQueues'),
      tasks: sub('Tasks'),
      workers: sub('Workers'),
      workflows: sub('Workflows'),
      task_channels: sub('TaskChannels'),
      events: sub('Events'),
    },
    multi_task_enabled: w.multiTaskEnabled,
    prioritize_queue_order: w.prioritizeQueueOrder,
    sid: w.sid,
    timeout_activity_name: state.activities.get(w.timeoutActivitySid)?.friendlyName ?? null,
    timeout_activity_sid: w.timeoutActivitySid || null,
    url,
  };
}
