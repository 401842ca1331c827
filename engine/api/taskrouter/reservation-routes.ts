import { badParameter } from '../api-errors.js';
import { toParams, type RequestParams } from '../request-params.js';
import { instructionFromParams, readInstruction } from '../../taskrouter/instructions.js';
import type { ReservationRecord, ReservationStatus } from '../../taskrouter/records.js';
import type { WorkspaceEntry } from '../../taskrouter/taskrouter-service.js';
import { invalid } from '../../taskrouter/errors.js';
import { allow, WORKSPACE, workspaceOf, type RouteContext, type WsRequest } from './context.js';
import { firstValues, oneOf, raw, text } from './params.js';
import { reservationJson } from './task-json.js';
import { newestFirst, v1List } from './v1-paging.js';
import { wsPath } from './v1-urls.js';

const STATUSES: readonly ReservationStatus[] = ['pending', 'accepted', 'rejected', 'timeout', 'canceled', 'rescinded', 'wrapping', 'completed'];
const UPDATES = ['accepted', 'rejected', 'wrapping', 'completed'] as const;

type Via = 'task' | 'worker';
type ListRequest = WsRequest<{ TaskSid?: string; WorkerSid?: string }>;
type OneRequest = WsRequest<{ TaskSid?: string; WorkerSid?: string; ReservationSid: string }>;

function reservationOf(entry: WorkspaceEntry, req: OneRequest): ReservationRecord {
  return entry.ws.getReservation(req.params.ReservationSid, req.params.TaskSid, req.params.WorkerSid);
}

/** The worker of the reservation moves to `activitySid` (WorkerActivitySid). */
function moveWorker(entry: WorkspaceEntry, r: ReservationRecord, activitySid: string | undefined): void {
  if (activitySid !== undefined) entry.resources.updateWorker(r.workerSid, { activitySid });
}

/**
 * A Reservation update: an Instruction (accept, reject, dequeue, call,
 * redirect, conference, with its Dequeue*, Call*, Redirect* and conference
 * parameters), or ReservationStatus accepted / rejected (pending
 * reservations), wrapping / completed (the accepted one: its task wraps up
 * or completes); WorkerActivitySid moves the worker (on reject: where it goes
 * instead of staying).
 */
async function updateReservation(ctx: RouteContext, entry: WorkspaceEntry, r: ReservationRecord, params: RequestParams): Promise<void> {
  const instruction = text(params, 'Instruction');
  const status = oneOf(params, 'ReservationStatus', UPDATES);
  const activitySid = text(params, 'WorkerActivitySid');
  if (activitySid !== undefined && !entry.ws.state.activities.has(activitySid)) throw badParameter(`WorkerActivitySid ${activitySid} is not an Activity of this workspace`);
  if (instruction !== undefined) {
    const fields = instructionFromParams(firstValues(params));
    fields.instruction = instruction.toLowerCase();
    if (fields.instruction === 'reject' && activitySid !== undefined) fields.activity_sid = activitySid;
    const parsed = readInstruction(fields);
    await ctx.service.updateReservation(entry, r.sid, { instruction: parsed });
    if (parsed.instruction !== 'reject') moveWorker(entry, r, activitySid);
    return;
  }
  switch (status) {
    case 'accepted':
      await ctx.service.updateReservation(entry, r.sid, { status: 'accepted' });
      moveWorker(entry, r, activitySid);
      return;
    case 'rejected':
      await ctx.service.updateReservation(entry, r.sid, { status: 'rejected', ...(activitySid !== undefined ? { activitySid } : {}) });
      return;
    case 'wrapping':
    case 'completed': {
      const ok = r.status === 'accepted' || (status === 'completed' && r.status === 'wrapping');
      if (!ok) throw invalid(`Reservation ${r.sid} is ${r.status}: it cannot become ${status}`);
      entry.ws.updateTask(r.taskSid, { assignmentStatus: status, reason: raw(params, 'Reason') ?? `reservation ${status}` });
      moveWorker(entry, r, activitySid);
      return;
    }
    case undefined:
      moveWorker(entry, r, activitySid);
  }
}

function register(ctx: RouteContext, via: Via): void {
  const { app } = ctx;
  const parent = via === 'task' ? `${WORKSPACE}/Tasks/:TaskSid` : `${WORKSPACE}/Workers/:WorkerSid`;
  const url = `${parent}/Reservations`;
  const one = `${url}/:ReservationSid`;

  app.get(url, async (req: ListRequest) => {
    const entry = workspaceOf(ctx, req);
    const state = entry.ws.state;
    const owner = via === 'task' ? entry.ws.getTask(req.params.TaskSid ?? '').record.sid : entry.resources.worker(req.params.WorkerSid ?? '').record.sid;
    const params = toParams(req.query);
    const status = oneOf(params, 'ReservationStatus', STATUSES);
    const workerSid = via === 'task' ? raw(params, 'WorkerSid') : undefined;
    const items = [...state.reservations.values()].filter(
      (r) => (via === 'task' ? r.taskSid === owner : r.workerSid === owner) && (status === undefined || r.status === status) && (workerSid === undefined || r.workerSid === workerSid),
    );
    const base = ctx.publicBase(req);
    const path = via === 'task' ? wsPath(state.workspace.sid, 'Tasks', owner, 'Reservations') : wsPath(state.workspace.sid, 'Workers', owner, 'Reservations');
    return v1List({ base, path, key: 'reservations', params, filterNames: via === 'task' ? ['ReservationStatus', 'WorkerSid'] : ['ReservationStatus'], items, keyOf: newestFirst, toJson: (r) => reservationJson(base, r, via) });
  });
  allow(ctx, url, ['GET']);

  app.get(one, async (req: OneRequest) => {
    const entry = workspaceOf(ctx, req);
    return reservationJson(ctx.publicBase(req), reservationOf(entry, req), via);
  });

  app.post(one, async (req: OneRequest) => {
    const entry = workspaceOf(ctx, req);
    const r = reservationOf(entry, req);
    await updateReservation(ctx, entry, r, toParams(req.body));
    return reservationJson(ctx.publicBase(req), entry.ws.state.reservations.get(r.sid) ?? r, via);
  });
  allow(ctx, one, ['GET', 'POST']);
}

/** Reservations under Tasks/{sid} and under Workers/{sid}: list (ReservationStatus), fetch, update. */
export function registerReservationRoutes(ctx: RouteContext): void {
  register(ctx, 'task');
  register(ctx, 'worker');
}
