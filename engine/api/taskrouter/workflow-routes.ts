import type { FastifyReply } from 'fastify';
import { badParameter } from '../api-errors.js';
import { toParams, type RequestParams } from '../request-params.js';
import type { WorkflowInput } from '../../taskrouter/workspace-resources.js';
import { workflowJson } from './config-json.js';
import { allow, WORKSPACE, workspaceOf, type RouteContext, type WsRequest } from './context.js';
import { flag, httpUrl, integer, raw } from './params.js';
import { oldestFirst, v1List } from './v1-paging.js';
import { wsPath } from './v1-urls.js';

type WorkflowRequest = WsRequest<{ WorkflowSid: string }>;

/** A callback URL parameter: an http(s) URL, '' to clear it on update, undefined when absent. */
function callbackUrl(params: RequestParams, name: string): string | undefined {
  const given = raw(params, name);
  if (given === undefined) return undefined;
  return given.trim() === '' ? '' : httpUrl(params, name);
}

function workflowInput(params: RequestParams): WorkflowInput {
  const input: WorkflowInput = {};
  const name = raw(params, 'FriendlyName');
  if (name !== undefined) input.friendlyName = name;
  const configuration = raw(params, 'Configuration');
  if (configuration !== undefined) input.configuration = configuration;
  const assignment = callbackUrl(params, 'AssignmentCallbackUrl');
  if (assignment !== undefined) input.assignmentCallbackUrl = assignment;
  const fallback = callbackUrl(params, 'FallbackAssignmentCallbackUrl');
  if (fallback !== undefined) input.fallbackAssignmentCallbackUrl = fallback;
  const timeout = integer(params, 'TaskReservationTimeout', 1, 86_400);
  if (timeout !== undefined) input.taskReservationTimeout = timeout;
  return input;
}

/** Workflows: list (FriendlyName), create (FriendlyName, Configuration, AssignmentCallbackUrl, FallbackAssignmentCallbackUrl, TaskReservationTimeout), fetch, update, delete. */
export function registerWorkflowRoutes(ctx: RouteContext): void {
  const { app } = ctx;
  const url = `${WORKSPACE}/Workflows`;
  const one = `${url}/:WorkflowSid`;

  app.get(url, async (req: WsRequest) => {
    const entry = workspaceOf(ctx, req);
    const ws = entry.ws.state.workspace;
    const params = toParams(req.query);
    const name = raw(params, 'FriendlyName');
    const items = [...entry.ws.state.workflows.values()].filter((wf) => name === undefined || wf.record.friendlyName === name);
    const base = ctx.publicBase(req);
    return v1List({ base, path: wsPath(ws.sid, 'Workflows'), key: 'workflows', params, filterNames: ['FriendlyName'], items, keyOf: (wf) => oldestFirst(wf.record), toJson: (wf) => workflowJson(base, ws, wf) });
  });

  app.post(url, async (req: WsRequest, reply: FastifyReply) => {
    const entry = workspaceOf(ctx, req);
    const params = toParams(req.body);
    if (raw(params, 'FriendlyName') === undefined) throw badParameter('FriendlyName is required');
    if (raw(params, 'Configuration') === undefined) throw badParameter('Configuration is required');
    const wf = entry.resources.createWorkflow(workflowInput(params));
    return reply.code(201).send(workflowJson(ctx.publicBase(req), entry.ws.state.workspace, wf));
  });
  allow(ctx, url, ['GET', 'POST']);

  app.get(one, async (req: WorkflowRequest) => {
    const entry = workspaceOf(ctx, req);
    return workflowJson(ctx.publicBase(req), entry.ws.state.workspace, entry.resources.workflow(req.params.WorkflowSid));
  });

  app.post(one, async (req: WorkflowRequest) => {
    const entry = workspaceOf(ctx, req);
    const params = toParams(req.body);
    // ReEvaluateTasks=true: the workflow's pending tasks are routed again by the new configuration.
    const wf = entry.resources.updateWorkflow(req.params.WorkflowSid, { ...workflowInput(params), reEvaluateTasks: flag(params, 'ReEvaluateTasks') === true });
    return workflowJson(ctx.publicBase(req), entry.ws.state.workspace, wf);
  });

  app.delete(one, async (req: WorkflowRequest, reply: FastifyReply) => {
    workspaceOf(ctx, req).resources.deleteWorkflow(req.params.WorkflowSid);
    return reply.code(204).send();
  });
  allow(ctx, one, ['GET', 'POST', 'DELETE']);
}
