import type { FastifyReply } from 'fastify';
import { badParameter } from '../api-errors.js';
import { toParams, type RequestParams } from '../request-params.js';
import { safeEvaluate, type LiveWorker, type WorkspaceState } from '../../taskrouter/workspace-state.js';
import type { WorkerInput } from '../../taskrouter/workspace-resources.js';
import { allow, WORKSPACE, workspaceOf, type RouteContext, type WsRequest } from './context.js';
import { expression, flag, jsonObject, raw, text } from './params.js';
import { oldestFirst, v1List } from './v1-paging.js';
import { wsPath } from './v1-urls.js';
import { workerJson } from './worker-json.js';

type WorkerRequest = WsRequest<{ WorkerSid: string }>;

export const WORKER_FILTERS = ['ActivitySid', 'ActivityName', 'Available', 'FriendlyName', 'TargetWorkersExpression', 'TaskQueueSid', 'TaskQueueName'] as const;

/**
 * The workers a list (or the Workers statistics) is about: ActivitySid,
 * ActivityName, Available, FriendlyName, TargetWorkersExpression (bare
 * names are the worker's attributes, as in a TaskQueue's TargetWorkers),
 * TaskQueueSid and TaskQueueName (the queue's workers).
 */
export function filterWorkers(state: WorkspaceState, params: RequestParams): LiveWorker[] {
  const activitySid = raw(params, 'ActivitySid');
  const activityName = raw(params, 'ActivityName');
  const available = flag(params, 'Available');
  const name = raw(params, 'FriendlyName');
  const target = expression(params, 'TargetWorkersExpression');
  const queueSid = raw(params, 'TaskQueueSid');
  const queueName = raw(params, 'TaskQueueName');
  let members: Set<string> | undefined;
  if (queueSid !== undefined || queueName !== undefined) {
    const queue = [...state.queues.values()].find((q) => (queueSid === undefined || q.record.sid === queueSid) && (queueName === undefined || q.record.friendlyName === queueName));
    members = queue?.members ?? new Set();
  }
  return [...state.workers.values()].filter(
    (w) =>
      (activitySid === undefined || w.record.activitySid === activitySid) &&
      (activityName === undefined || state.activities.get(w.record.activitySid)?.friendlyName === activityName) &&
      (available === undefined || state.isAvailable(w) === available) &&
      (name === undefined || w.record.friendlyName === name) &&
      (members === undefined || members.has(w.record.sid)) &&
      (target === undefined || safeEvaluate(target, { worker: state.workerScope(w), bare: 'worker' })),
  );
}

function workerInput(params: RequestParams): WorkerInput {
  const input: WorkerInput = {};
  const name = raw(params, 'FriendlyName');
  if (name !== undefined) input.friendlyName = name;
  const attributes = jsonObject(params, 'Attributes');
  if (attributes !== undefined) input.attributes = attributes;
  const activity = text(params, 'ActivitySid');
  if (activity !== undefined) input.activitySid = activity;
  return input;
}

/** Workers: list (filters above), create (FriendlyName, ActivitySid, Attributes), fetch, update (+ RejectPendingReservations), delete. */
export function registerWorkerRoutes(ctx: RouteContext): void {
  const { app } = ctx;
  const url = `${WORKSPACE}/Workers`;
  const one = `${url}/:WorkerSid`;

  app.get(url, async (req: WsRequest) => {
    const entry = workspaceOf(ctx, req);
    const params = toParams(req.query);
    const state = entry.ws.state;
    const base = ctx.publicBase(req);
    const items = filterWorkers(state, params);
    return v1List({ base, path: wsPath(state.workspace.sid, 'Workers'), key: 'workers', params, filterNames: WORKER_FILTERS, items, keyOf: (w) => oldestFirst(w.record), toJson: (w) => workerJson(base, state, w) });
  });

  app.post(url, async (req: WsRequest, reply: FastifyReply) => {
    const entry = workspaceOf(ctx, req);
    const params = toParams(req.body);
    if (raw(params, 'FriendlyName') === undefined) throw badParameter('FriendlyName is required');
    const w = entry.resources.createWorker(workerInput(params));
    return reply.code(201).send(workerJson(ctx.publicBase(req), entry.ws.state, w));
  });
  allow(ctx, url, ['GET', 'POST']);

  app.get(one, async (req: WorkerRequest) => {
    const entry = workspaceOf(ctx, req);
    return workerJson(ctx.publicBase(req), entry.ws.state, entry.resources.worker(req.params.WorkerSid));
  });

  app.post(one, async (req: WorkerRequest) => {
    const entry = workspaceOf(ctx, req);
    const params = toParams(req.body);
    const input = workerInput(params);
    const reject = flag(params, 'RejectPendingReservations');
    if (reject !== undefined) input.rejectPendingReservations = reject;
    const w = entry.resources.updateWorker(req.params.WorkerSid, input);
    return workerJson(ctx.publicBase(req), entry.ws.state, w);
  });

  app.delete(one, async (req: WorkerRequest, reply: FastifyReply) => {
    workspaceOf(ctx, req).resources.deleteWorker(req.params.WorkerSid);
    return reply.code(204).send();
  });
  allow(ctx, one, ['GET', 'POST', 'DELETE']);
}
