import type { FastifyReply } from 'fastify';
import { badParameter } from '../api-errors.js';
import { toParams, type RequestParams } from '../request-params.js';
import type { AssignmentStatus } from '../../taskrouter/records.js';
import type { NewTask, TaskChange } from '../../taskrouter/task-input.js';
import { MAX_PRIORITY, MAX_TASK_TIMEOUT } from '../../taskrouter/task-input.js';
import { safeEvaluate, type LiveTask, type WorkspaceState } from '../../taskrouter/workspace-state.js';
import { allow, WORKSPACE, workspaceOf, type RouteContext, type WsRequest } from './context.js';
import { ASSIGNMENT_STATUSES, expression, integer, jsonObject, list, oneOf, raw, text } from './params.js';
import { taskJson } from './task-json.js';
import { newestFirst, oldestFirst, v1List } from './v1-paging.js';
import { wsPath } from './v1-urls.js';

type TaskRequest = WsRequest<{ TaskSid: string }>;

const TASK_FILTERS = ['AssignmentStatus', 'WorkflowSid', 'WorkflowName', 'TaskQueueSid', 'TaskQueueName', 'TaskChannel', 'EvaluateTaskAttributes', 'Priority', 'Ordering'] as const;

function assignmentStatuses(params: RequestParams): AssignmentStatus[] {
  return list(params, 'AssignmentStatus').map((s) => {
    const found = ASSIGNMENT_STATUSES.find((a) => a === s.toLowerCase());
    if (found === undefined) throw badParameter(`AssignmentStatus must be one of ${ASSIGNMENT_STATUSES.join(', ')}, not "${s.slice(0, 40)}"`);
    return found;
  });
}

/** The tasks a list asks for; 400 naming a filter that is not valid. */
function filterTasks(state: WorkspaceState, params: RequestParams): LiveTask[] {
  const statuses = assignmentStatuses(params);
  const workflowSid = raw(params, 'WorkflowSid');
  const workflowName = raw(params, 'WorkflowName');
  const queueSid = raw(params, 'TaskQueueSid');
  const queueName = raw(params, 'TaskQueueName');
  const channel = text(params, 'TaskChannel');
  const channelSid = channel === undefined ? undefined : (state.channels.get(channel) ?? state.channelByName(channel))?.sid ?? '';
  const evaluate = expression(params, 'EvaluateTaskAttributes');
  const priority = integer(params, 'Priority', 0, MAX_PRIORITY);
  const queueNamed = (t: LiveTask): boolean => t.record.taskQueueSid !== undefined && state.queues.get(t.record.taskQueueSid)?.record.friendlyName === queueName;
  return [...state.tasks.values()].filter(
    (t) =>
      (statuses.length === 0 || statuses.includes(t.record.assignmentStatus)) &&
      (workflowSid === undefined || t.record.workflowSid === workflowSid) &&
      (workflowName === undefined || state.workflows.get(t.record.workflowSid)?.record.friendlyName === workflowName) &&
      (queueSid === undefined || t.record.taskQueueSid === queueSid) &&
      (queueName === undefined || queueNamed(t)) &&
      (channelSid === undefined || t.record.taskChannelSid === channelSid) &&
      (priority === undefined || t.record.priority === priority) &&
      (evaluate === undefined || safeEvaluate(evaluate, { task: t.attributes, bare: 'task' })),
  );
}

function newTask(params: RequestParams): NewTask {
  const input: NewTask = {};
  const attributes = jsonObject(params, 'Attributes');
  if (attributes !== undefined) input.attributes = attributes;
  const priority = integer(params, 'Priority', 0, MAX_PRIORITY);
  if (priority !== undefined) input.priority = priority;
  const timeout = integer(params, 'Timeout', 1, MAX_TASK_TIMEOUT);
  if (timeout !== undefined) input.timeout = timeout;
  const channel = text(params, 'TaskChannel');
  if (channel !== undefined) input.taskChannel = channel;
  const workflow = text(params, 'WorkflowSid');
  if (workflow !== undefined) input.workflowSid = workflow;
  return input;
}

function taskChange(params: RequestParams): TaskChange {
  const change: TaskChange = {};
  const attributes = jsonObject(params, 'Attributes');
  if (attributes !== undefined) change.attributes = attributes;
  const priority = integer(params, 'Priority', 0, MAX_PRIORITY);
  if (priority !== undefined) change.priority = priority;
  const status = oneOf(params, 'AssignmentStatus', ASSIGNMENT_STATUSES);
  if (status !== undefined) change.assignmentStatus = status;
  const reason = raw(params, 'Reason');
  if (reason !== undefined) change.reason = reason;
  const timeout = integer(params, 'Timeout', 1, MAX_TASK_TIMEOUT);
  if (timeout !== undefined) change.timeout = timeout;
  return change;
}

/**
 * Tasks: list (AssignmentStatus, repeatable; WorkflowSid, WorkflowName,
 * TaskQueueSid, TaskQueueName, TaskChannel, EvaluateTaskAttributes,
 * Priority; newest first, or Ordering=DateCreated:asc), create (Attributes,
 * Priority, Timeout, TaskChannel, WorkflowSid), fetch, update (Attributes,
 * Priority, AssignmentStatus, Reason, Timeout), delete.
 */
export function registerTaskRoutes(ctx: RouteContext): void {
  const { app } = ctx;
  const url = `${WORKSPACE}/Tasks`;
  const one = `${url}/:TaskSid`;

  app.get(url, async (req: WsRequest) => {
    const entry = workspaceOf(ctx, req);
    const state = entry.ws.state;
    const params = toParams(req.query);
    const ordering = oneOf(params, 'Ordering', ['DateCreated:desc', 'DateCreated:asc'] as const);
    const items = filterTasks(state, params);
    const statuses = assignmentStatuses(params);
    // A repeated AssignmentStatus travels in the paging links as one comma-separated value.
    const linkParams: RequestParams = statuses.length > 0 ? { ...params, AssignmentStatus: statuses.join(',') } : params;
    const base = ctx.publicBase(req);
    const now = Date.now();
    const order = ordering === 'DateCreated:asc' ? oldestFirst : newestFirst;
    return v1List({ base, path: wsPath(state.workspace.sid, 'Tasks'), key: 'tasks', params: linkParams, filterNames: TASK_FILTERS, items, keyOf: (t) => order(t.record), toJson: (t) => taskJson(base, state, t, now) });
  });

  app.post(url, async (req: WsRequest, reply: FastifyReply) => {
    const entry = workspaceOf(ctx, req);
    const t = entry.ws.createTask(entry.ws.state.workspace.accountSid, newTask(toParams(req.body)));
    return reply.code(201).send(taskJson(ctx.publicBase(req), entry.ws.state, t));
  });
  allow(ctx, url, ['GET', 'POST']);

  app.get(one, async (req: TaskRequest) => {
    const entry = workspaceOf(ctx, req);
    return taskJson(ctx.publicBase(req), entry.ws.state, entry.ws.getTask(req.params.TaskSid));
  });

  app.post(one, async (req: TaskRequest) => {
    const entry = workspaceOf(ctx, req);
    const t = entry.ws.updateTask(req.params.TaskSid, taskChange(toParams(req.body)));
    return taskJson(ctx.publicBase(req), entry.ws.state, t);
  });

  app.delete(one, async (req: TaskRequest, reply: FastifyReply) => {
    workspaceOf(ctx, req).ws.deleteTask(req.params.TaskSid);
    return reply.code(204).send();
  });
  allow(ctx, one, ['GET', 'POST', 'DELETE']);
}
