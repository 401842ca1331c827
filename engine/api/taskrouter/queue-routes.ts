import type { FastifyReply } from 'fastify';
import { badParameter } from '../api-errors.js';
import { toParams, type RequestParams } from '../request-params.js';
import { attributesOf, safeEvaluate } from '../../taskrouter/workspace-state.js';
import type { QueueInput } from '../../taskrouter/workspace-resources.js';
import { queueJson } from './config-json.js';
import { allow, WORKSPACE, workspaceOf, type RouteContext, type WsRequest } from './context.js';
import { integer, jsonObject, raw, taskOrder, text } from './params.js';
import { oldestFirst, v1List } from './v1-paging.js';
import { wsPath } from './v1-urls.js';

type QueueRequest = WsRequest<{ TaskQueueSid: string }>;

function queueInput(params: RequestParams): QueueInput {
  const input: QueueInput = {};
  const name = raw(params, 'FriendlyName');
  if (name !== undefined) input.friendlyName = name;
  const target = raw(params, 'TargetWorkers');
  if (target !== undefined) input.targetWorkers = target.trim() === '' ? '1==1' : target;
  const order = taskOrder(params, 'TaskOrder');
  if (order !== undefined) input.taskOrder = order;
  const max = integer(params, 'MaxReservedWorkers', 1, 50);
  if (max !== undefined) input.maxReservedWorkers = max;
  const reservation = text(params, 'ReservationActivitySid');
  if (reservation !== undefined) input.reservationActivitySid = reservation;
  const assignment = text(params, 'AssignmentActivitySid');
  if (assignment !== undefined) input.assignmentActivitySid = assignment;
  return input;
}

/**
 * TaskQueues: list (FriendlyName, EvaluateWorkerAttributes: the queues a
 * worker with those attributes would be in, WorkerSid: the queues a worker
 * is in), create (FriendlyName, TargetWorkers, TaskOrder, MaxReservedWorkers,
 * ReservationActivitySid, AssignmentActivitySid), fetch, update, delete.
 */
export function registerQueueRoutes(ctx: RouteContext): void {
  const { app } = ctx;
  const url = `${WORKSPACE}/TaskQueues`;
  const one = `${url}/:TaskQueueSid`;

  app.get(url, async (req: WsRequest) => {
    const entry = workspaceOf(ctx, req);
    const state = entry.ws.state;
    const params = toParams(req.query);
    const name = raw(params, 'FriendlyName');
    const evaluate = jsonObject(params, 'EvaluateWorkerAttributes');
    const scope = evaluate !== undefined ? { worker: attributesOf(evaluate), bare: 'worker' as const } : undefined;
    const workerSid = raw(params, 'WorkerSid');
    const items = [...state.queues.values()].filter(
      (q) =>
        (name === undefined || q.record.friendlyName === name) &&
        (scope === undefined || safeEvaluate(q.targetWorkers, scope)) &&
        (workerSid === undefined || q.members.has(workerSid)),
    );
    const base = ctx.publicBase(req);
    return v1List({
      base,
      path: wsPath(state.workspace.sid, 'TaskQueues'),
      key: 'task_queues',
      params,
      filterNames: ['FriendlyName', 'EvaluateWorkerAttributes', 'WorkerSid'],
      items,
      keyOf: (q) => oldestFirst(q.record),
      toJson: (q) => queueJson(base, state, q),
    });
  });

  app.post(url, async (req: WsRequest, reply: FastifyReply) => {
    const entry = workspaceOf(ctx, req);
    const params = toParams(req.body);
    if (raw(params, 'FriendlyName') === undefined) throw badParameter('FriendlyName is required');
    const q = entry.resources.createQueue(queueInput(params));
    return reply.code(201).send(queueJson(ctx.publicBase(req), entry.ws.state, q));
  });
  allow(ctx, url, ['GET', 'POST']);

  app.get(one, async (req: QueueRequest) => {
    const entry = workspaceOf(ctx, req);
    return queueJson(ctx.publicBase(req), entry.ws.state, entry.resources.queue(req.params.TaskQueueSid));
  });

  app.post(one, async (req: QueueRequest) => {
    const entry = workspaceOf(ctx, req);
    const q = entry.resources.updateQueue(req.params.TaskQueueSid, queueInput(toParams(req.body)));
    return queueJson(ctx.publicBase(req), entry.ws.state, q);
  });

  app.delete(one, async (req: QueueRequest, reply: FastifyReply) => {
    workspaceOf(ctx, req).resources.deleteQueue(req.params.TaskQueueSid);
    return reply.code(204).send();
  });
  allow(ctx, one, ['GET', 'POST', 'DELETE']);
}
