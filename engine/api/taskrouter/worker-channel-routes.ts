import { toParams } from '../request-params.js';
import { missing } from '../../taskrouter/errors.js';
import type { TaskChannelRecord } from '../../taskrouter/records.js';
import type { WorkspaceEntry } from '../../taskrouter/taskrouter-service.js';
import { allow, WORKSPACE, workspaceOf, type RouteContext, type WsRequest } from './context.js';
import { flag, integer } from './params.js';
import { oldestFirst, v1List } from './v1-paging.js';
import { wsPath } from './v1-urls.js';
import { workerChannelJson, workerChannelSid } from './worker-json.js';

type WorkerRequest = WsRequest<{ WorkerSid: string }>;
type WorkerChannelRequest = WsRequest<{ WorkerSid: string; Channel: string }>;

/** The TaskChannel a WorkerChannel path names: the WorkerChannel's sid (WC...), the TaskChannel's sid, or its unique name. */
function channelOf(entry: WorkspaceEntry, workerSid: string, name: string): TaskChannelRecord {
  const state = entry.ws.state;
  if (name.startsWith('WC')) {
    for (const c of state.channels.values()) if (workerChannelSid(workerSid, c.sid) === name) return c;
    throw missing(`/Workspaces/${state.workspace.sid}/Workers/${workerSid}/Channels/${name}`);
  }
  const c = state.channels.get(name) ?? state.channelByName(name);
  if (!c) throw missing(`/Workspaces/${state.workspace.sid}/Workers/${workerSid}/Channels/${name}`);
  return c;
}

/** A worker's Channels: list, fetch (by sid or unique name), update (Capacity, Available). */
export function registerWorkerChannelRoutes(ctx: RouteContext): void {
  const { app } = ctx;
  const url = `${WORKSPACE}/Workers/:WorkerSid/Channels`;
  const one = `${url}/:Channel`;

  app.get(url, async (req: WorkerRequest) => {
    const entry = workspaceOf(ctx, req);
    const state = entry.ws.state;
    const w = entry.resources.worker(req.params.WorkerSid);
    const params = toParams(req.query);
    const base = ctx.publicBase(req);
    const items = [...state.channels.values()];
    return v1List({ base, path: wsPath(state.workspace.sid, 'Workers', w.record.sid, 'Channels'), key: 'channels', params, filterNames: [], items, keyOf: oldestFirst, toJson: (c) => workerChannelJson(base, state, w, c) });
  });
  allow(ctx, url, ['GET']);

  app.get(one, async (req: WorkerChannelRequest) => {
    const entry = workspaceOf(ctx, req);
    const w = entry.resources.worker(req.params.WorkerSid);
    return workerChannelJson(ctx.publicBase(req), entry.ws.state, w, channelOf(entry, w.record.sid, req.params.Channel));
  });

  app.post(one, async (req: WorkerChannelRequest) => {
    const entry = workspaceOf(ctx, req);
    const w = entry.resources.worker(req.params.WorkerSid);
    const c = channelOf(entry, w.record.sid, req.params.Channel);
    const params = toParams(req.body);
    const change: { capacity?: number; available?: boolean } = {};
    const capacity = integer(params, 'Capacity', 0, 50);
    if (capacity !== undefined) change.capacity = capacity;
    const available = flag(params, 'Available');
    if (available !== undefined) change.available = available;
    entry.resources.updateWorkerChannel(w.record.sid, c.sid, change);
    return workerChannelJson(ctx.publicBase(req), entry.ws.state, w, c);
  });
  allow(ctx, one, ['GET', 'POST']);
}
