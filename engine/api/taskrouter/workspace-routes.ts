import type { FastifyReply, FastifyRequest } from 'fastify';
import { badParameter } from '../api-errors.js';
import { requestAccount } from '../request-account.js';
import { toParams, type RequestParams } from '../request-params.js';
import type { WorkspaceEntry, WorkspaceInput } from '../../taskrouter/taskrouter-service.js';
import { allow, WORKSPACE, WORKSPACES, type RouteContext, type WsRequest } from './context.js';
import { flag, httpUrl, list, oneOf, raw, taskOrder, text } from './params.js';
import { oldestFirst, v1List } from './v1-paging.js';
import { workspaceJson } from './workspace-json.js';

function workspaceInput(params: RequestParams, creating: boolean): WorkspaceInput {
  const input: WorkspaceInput = {};
  const name = raw(params, 'FriendlyName');
  if (name !== undefined) input.friendlyName = name;
  const callback = raw(params, 'EventCallbackUrl');
  if (callback !== undefined) input.eventCallbackUrl = callback.trim() === '' ? '' : (httpUrl(params, 'EventCallbackUrl') as string);
  if (params.EventsFilter !== undefined) input.eventsFilter = list(params, 'EventsFilter');
  const multi = flag(params, 'MultiTaskEnabled');
  if (multi !== undefined) input.multiTaskEnabled = multi;
  const order = taskOrder(params, 'PrioritizeQueueOrder');
  if (order !== undefined) input.prioritizeQueueOrder = order;
  if (!creating) {
    const def = text(params, 'DefaultActivitySid');
    if (def !== undefined) input.defaultActivitySid = def;
    const timeout = text(params, 'TimeoutActivitySid');
    if (timeout !== undefined) input.timeoutActivitySid = timeout;
  }
  return input;
}

/** Template=FIFO: a queue every worker is in and a workflow that sends every task to it, as Twilio's template makes them. */
function applyFifoTemplate(entry: WorkspaceEntry): void {
  const queue = entry.resources.createQueue({ friendlyName: 'Sample Queue', targetWorkers: '1==1' });
  entry.resources.createWorkflow({
    friendlyName: 'Default Fifo Workflow',
    configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: queue.record.sid } } }),
  });
}

/** Workspaces: list (FriendlyName), create (FriendlyName, EventCallbackUrl, EventsFilter, MultiTaskEnabled, Template, PrioritizeQueueOrder), fetch, update, delete. */
export function registerWorkspaceRoutes(ctx: RouteContext): void {
  const { app, service } = ctx;

  app.get(WORKSPACES, async (req: FastifyRequest) => {
    const account = requestAccount(req);
    const params = toParams(req.query);
    const base = ctx.publicBase(req);
    const records = service.list(account, raw(params, 'FriendlyName'));
    return v1List({
      base,
      path: '/v1/Workspaces',
      key: 'workspaces',
      params,
      filterNames: ['FriendlyName'],
      items: records,
      keyOf: oldestFirst,
      toJson: (w) => workspaceJson(base, service.entry(account, w.sid)),
    });
  });

  app.post(WORKSPACES, async (req: FastifyRequest, reply: FastifyReply) => {
    const account = requestAccount(req);
    const params = toParams(req.body);
    const template = oneOf(params, 'Template', ['FIFO', 'NONE'] as const);
    if (raw(params, 'FriendlyName') === undefined) throw badParameter('FriendlyName is required');
    const entry = service.createWorkspace(account, workspaceInput(params, true));
    if (template === 'FIFO') applyFifoTemplate(entry);
    return reply.code(201).send(workspaceJson(ctx.publicBase(req), entry));
  });
  allow(ctx, WORKSPACES, ['GET', 'POST']);

  app.get(WORKSPACE, async (req: WsRequest) => workspaceJson(ctx.publicBase(req), service.entry(requestAccount(req), req.params.WorkspaceSid)));

  app.post(WORKSPACE, async (req: WsRequest) => {
    const account = requestAccount(req);
    service.updateWorkspace(account, req.params.WorkspaceSid, workspaceInput(toParams(req.body), false));
    return workspaceJson(ctx.publicBase(req), service.entry(account, req.params.WorkspaceSid));
  });

  app.delete(WORKSPACE, async (req: WsRequest, reply: FastifyReply) => {
    service.deleteWorkspace(requestAccount(req), req.params.WorkspaceSid);
    return reply.code(204).send();
  });
  allow(ctx, WORKSPACE, ['GET', 'POST', 'DELETE']);
}
