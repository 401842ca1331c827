import type { FastifyReply } from 'fastify';
import { badParameter } from '../api-errors.js';
import { toParams } from '../request-params.js';
import type { ActivityInput } from '../../taskrouter/workspace-resources.js';
import { activityJson } from './config-json.js';
import { allow, WORKSPACE, workspaceOf, type RouteContext, type WsRequest } from './context.js';
import { flag, raw } from './params.js';
import { oldestFirst, v1List } from './v1-paging.js';
import { wsPath } from './v1-urls.js';

type ActivityRequest = WsRequest<{ ActivitySid: string }>;

/** Activities: list (FriendlyName, Available), create (FriendlyName, Available), fetch, update (FriendlyName), delete. */
export function registerActivityRoutes(ctx: RouteContext): void {
  const { app } = ctx;
  const url = `${WORKSPACE}/Activities`;
  const one = `${url}/:ActivitySid`;

  app.get(url, async (req: WsRequest) => {
    const entry = workspaceOf(ctx, req);
    const params = toParams(req.query);
    const name = raw(params, 'FriendlyName');
    const available = flag(params, 'Available');
    const ws = entry.ws.state.workspace;
    const items = [...entry.ws.state.activities.values()].filter((a) => (name === undefined || a.friendlyName === name) && (available === undefined || a.available === available));
    const base = ctx.publicBase(req);
    return v1List({ base, path: wsPath(ws.sid, 'Activities'), key: 'activities', params, filterNames: ['FriendlyName', 'Available'], items, keyOf: oldestFirst, toJson: (a) => activityJson(base, ws, a) });
  });

  app.post(url, async (req: WsRequest, reply: FastifyReply) => {
    const entry = workspaceOf(ctx, req);
    const params = toParams(req.body);
    const input: ActivityInput = { friendlyName: raw(params, 'FriendlyName') };
    const available = flag(params, 'Available');
    if (available !== undefined) input.available = available;
    const a = entry.resources.createActivity(input);
    return reply.code(201).send(activityJson(ctx.publicBase(req), entry.ws.state.workspace, a));
  });
  allow(ctx, url, ['GET', 'POST']);

  app.get(one, async (req: ActivityRequest) => {
    const entry = workspaceOf(ctx, req);
    return activityJson(ctx.publicBase(req), entry.ws.state.workspace, entry.resources.activity(req.params.ActivitySid));
  });

  app.post(one, async (req: ActivityRequest) => {
    const entry = workspaceOf(ctx, req);
    const params = toParams(req.body);
    // Twilio lets an Activity's name change, never whether it is available.
    if (params.Available !== undefined) throw badParameter('Available cannot be changed on an existing Activity');
    const a = entry.resources.updateActivity(req.params.ActivitySid, { friendlyName: raw(params, 'FriendlyName') });
    return activityJson(ctx.publicBase(req), entry.ws.state.workspace, a);
  });

  app.delete(one, async (req: ActivityRequest, reply: FastifyReply) => {
    workspaceOf(ctx, req).resources.deleteActivity(req.params.ActivitySid);
    return reply.code(204).send();
  });
  allow(ctx, one, ['GET', 'POST', 'DELETE']);
}
