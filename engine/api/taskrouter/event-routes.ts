import { toParams, type RequestParams } from '../request-params.js';
import { missing } from '../../taskrouter/errors.js';
import type { EventRecord } from '../../taskrouter/records.js';
import type { WorkspaceState } from '../../taskrouter/workspace-state.js';
import { allow, WORKSPACE, workspaceOf, type RouteContext, type WsRequest } from './context.js';
import { eventJson } from './event-json.js';
import { raw, text } from './params.js';
import { timeWindow } from './time-window.js';
import { v1List } from './v1-paging.js';
import { wsPath } from './v1-urls.js';

type EventRequest = WsRequest<{ EventSid: string }>;

const EVENT_FILTERS = ['EventType', 'TaskSid', 'WorkerSid', 'ReservationSid', 'TaskQueueSid', 'WorkflowSid', 'TaskChannel', 'Sid', 'Minutes', 'StartDate', 'EndDate'] as const;

/** Whether an event is about `sid` through the parameter `name` of its data (or as its own resource). */
const about = (e: EventRecord, name: string, sid: string | undefined): boolean => sid === undefined || e.data[name] === sid || e.resourceSid === sid;

/** The events a list asks for: by type, by the task/worker/reservation/queue/workflow/channel they concern, and by time. */
function filterEvents(state: WorkspaceState, events: readonly EventRecord[], params: RequestParams, now: number): EventRecord[] {
  const type = raw(params, 'EventType');
  const window = timeWindow(params, now, undefined);
  const taskSid = text(params, 'TaskSid');
  const workerSid = text(params, 'WorkerSid');
  const reservationSid = text(params, 'ReservationSid');
  const queueSid = text(params, 'TaskQueueSid');
  const workflowSid = text(params, 'WorkflowSid');
  const channel = text(params, 'TaskChannel');
  const channelSid = channel === undefined ? undefined : ((state.channels.get(channel) ?? state.channelByName(channel))?.sid ?? channel);
  const sid = text(params, 'Sid');
  return events.filter(
    (e) =>
      (type === undefined || e.eventType === type) &&
      (window === undefined || (e.eventDate >= window.start && e.eventDate <= window.end)) &&
      about(e, 'TaskSid', taskSid) &&
      about(e, 'WorkerSid', workerSid) &&
      about(e, 'ReservationSid', reservationSid) &&
      about(e, 'TaskQueueSid', queueSid) &&
      about(e, 'WorkflowSid', workflowSid) &&
      (channelSid === undefined || e.data.TaskChannelSid === channelSid) &&
      (sid === undefined || e.sid === sid),
  );
}

/** Events: list (EventType, TaskSid, WorkerSid, ReservationSid, TaskQueueSid, WorkflowSid, TaskChannel, Sid, Minutes, StartDate, EndDate; newest first), fetch. */
export function registerEventRoutes(ctx: RouteContext): void {
  const { app } = ctx;
  const url = `${WORKSPACE}/Events`;
  const one = `${url}/:EventSid`;

  app.get(url, async (req: WsRequest) => {
    const entry = workspaceOf(ctx, req);
    const state = entry.ws.state;
    const ws = state.workspace;
    const params = toParams(req.query);
    const items = filterEvents(state, entry.events, params, Date.now());
    const base = ctx.publicBase(req);
    return v1List({ base, path: wsPath(ws.sid, 'Events'), key: 'events', params, filterNames: EVENT_FILTERS, items, keyOf: (e) => ({ time: e.eventDate, sid: e.sid }), toJson: (e) => eventJson(base, ws, e) });
  });
  allow(ctx, url, ['GET']);

  app.get(one, async (req: EventRequest) => {
    const entry = workspaceOf(ctx, req);
    const ws = entry.ws.state.workspace;
    const e = entry.events.find((x) => x.sid === req.params.EventSid);
    if (!e) throw missing(`/Workspaces/${ws.sid}/Events/${req.params.EventSid}`);
    return eventJson(ctx.publicBase(req), ws, e);
  });
  allow(ctx, one, ['GET']);
}
