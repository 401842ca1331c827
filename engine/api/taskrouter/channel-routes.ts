import type { FastifyReply } from 'fastify';
import { toParams } from '../request-params.js';
import type { ChannelInput } from '../../taskrouter/workspace-resources.js';
import { channelJson } from './config-json.js';
import { allow, WORKSPACE, workspaceOf, type RouteContext, type WsRequest } from './context.js';
import { flag, raw } from './params.js';
import { oldestFirst, v1List } from './v1-paging.js';
import { wsPath } from './v1-urls.js';

type ChannelRequest = WsRequest<{ Channel: string }>;

/** TaskChannels: list, create (FriendlyName, UniqueName, ChannelOptimizedRouting), fetch (by sid or unique name), update, delete. */
export function registerChannelRoutes(ctx: RouteContext): void {
  const { app } = ctx;
  const url = `${WORKSPACE}/TaskChannels`;
  const one = `${url}/:Channel`;

  app.get(url, async (req: WsRequest) => {
    const entry = workspaceOf(ctx, req);
    const params = toParams(req.query);
    const ws = entry.ws.state.workspace;
    const base = ctx.publicBase(req);
    const items = [...entry.ws.state.channels.values()];
    return v1List({ base, path: wsPath(ws.sid, 'TaskChannels'), key: 'channels', params, filterNames: [], items, keyOf: oldestFirst, toJson: (c) => channelJson(base, ws, c) });
  });

  app.post(url, async (req: WsRequest, reply: FastifyReply) => {
    const entry = workspaceOf(ctx, req);
    const params = toParams(req.body);
    const input: ChannelInput = { friendlyName: raw(params, 'FriendlyName'), uniqueName: raw(params, 'UniqueName') };
    const optimized = flag(params, 'ChannelOptimizedRouting');
    if (optimized !== undefined) input.channelOptimizedRouting = optimized;
    const c = entry.resources.createChannel(input);
    return reply.code(201).send(channelJson(ctx.publicBase(req), entry.ws.state.workspace, c));
  });
  allow(ctx, url, ['GET', 'POST']);

  app.get(one, async (req: ChannelRequest) => {
    const entry = workspaceOf(ctx, req);
    return channelJson(ctx.publicBase(req), entry.ws.state.workspace, entry.resources.channel(req.params.Channel));
  });

  app.post(one, async (req: ChannelRequest) => {
    const entry = workspaceOf(ctx, req);
    const params = toParams(req.body);
    const input: ChannelInput = {};
    const name = raw(params, 'FriendlyName');
    if (name !== undefined) input.friendlyName = name;
    const optimized = flag(params, 'ChannelOptimizedRouting');
    if (optimized !== undefined) input.channelOptimizedRouting = optimized;
    const c = entry.resources.updateChannel(entry.resources.channel(req.params.Channel).sid, input);
    return channelJson(ctx.publicBase(req), entry.ws.state.workspace, c);
  });

  app.delete(one, async (req: ChannelRequest, reply: FastifyReply) => {
    const entry = workspaceOf(ctx, req);
    entry.resources.deleteChannel(entry.resources.channel(req.params.Channel).sid);
    return reply.code(204).send();
  });
  allow(ctx, one, ['GET', 'POST', 'DELETE']);
}
