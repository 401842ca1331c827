import type { FastifyRequest } from 'fastify';
import { badParameter } from '../api-errors.js';
import { toParams, type RequestParams } from '../request-params.js';
import type { WorkspaceEntry } from '../../taskrouter/taskrouter-service.js';
import type { LiveQueue, LiveWorker } from '../../taskrouter/workspace-state.js';
import { allow, WORKSPACE, workspaceOf, type RouteContext, type WsRequest } from './context.js';
import { activityDurations, CUMULATIVE_KEYS, pick, taskCumulative, type EventScope } from './cumulative-statistics.js';
import { list, raw, text } from './params.js';
import { queueRealtime, workersRealtime, workflowRealtime, workspaceRealtime } from './realtime-statistics.js';
import { DEFAULT_MINUTES, timeWindow, type Window } from './time-window.js';
import { oldestFirst, v1List } from './v1-paging.js';
import { wsPath, wsUrl } from './v1-urls.js';
import { filterWorkers } from './worker-routes.js';

type Kind = 'Statistics' | 'RealTimeStatistics' | 'CumulativeStatistics';
const KINDS: readonly Kind[] = ['Statistics', 'RealTimeStatistics', 'CumulativeStatistics'];

/** What a statistics request asks for: the period, the TaskChannel, the SplitByWaitTime thresholds. */
interface StatsQuery {
  params: RequestParams;
  now: number;
  window: Window;
  channel?: string;
  channelSid?: string;
  thresholds?: number[];
}

function statsQuery(entry: WorkspaceEntry, req: FastifyRequest): StatsQuery {
  const params = toParams(req.query);
  const now = Date.now();
  const window = timeWindow(params, now, DEFAULT_MINUTES) as Window;
  const channel = text(params, 'TaskChannel');
  const state = entry.ws.state;
  const channelSid = channel === undefined ? undefined : ((state.channels.get(channel) ?? state.channelByName(channel))?.sid ?? '');
  const split = params.SplitByWaitTime === undefined ? undefined : list(params, 'SplitByWaitTime');
  const thresholds = split?.map((v) => {
    const n = /^\d{1,7}$/.test(v) ? Number(v) : Number.NaN;
    if (!(n >= 1)) throw badParameter(`SplitByWaitTime must be a comma-separated list of whole seconds, not "${v.slice(0, 20)}"`);
    return n;
  });
  return { params, now, window, ...(channel !== undefined ? { channel } : {}), ...(channelSid !== undefined ? { channelSid } : {}), ...(thresholds !== undefined ? { thresholds } : {}) };
}

/** Answers `Statistics` (realtime + cumulative), `RealTimeStatistics` and `CumulativeStatistics` of one resource. */
function answer(kind: Kind, head: Record<string, unknown>, url: string, realtime: () => Record<string, unknown>, cumulative: () => Record<string, unknown>): Record<string, unknown> {
  if (kind === 'RealTimeStatistics') return { ...head, ...realtime(), url };
  if (kind === 'CumulativeStatistics') return { ...head, ...cumulative(), url };
  return { ...head, cumulative: cumulative(), realtime: realtime(), url };
}

const scoped = (q: StatsQuery, scope: EventScope): EventScope => (q.channelSid !== undefined ? { ...scope, channelSid: q.channelSid } : scope);

/**
 * Statistics of the workspace, its TaskQueues (each, and the list of all),
 * its Workflows, its Workers (all, or filtered) and each Worker:
 * real-time figures from the state, cumulative ones from the kept events
 * over Minutes / StartDate / EndDate (the last 15 minutes by default).
 */
export function registerStatisticsRoutes(ctx: RouteContext): void {
  const { app } = ctx;

  for (const kind of KINDS) {
    const url = `${WORKSPACE}/${kind}`;
    app.get(url, async (req: WsRequest) => {
      const entry = workspaceOf(ctx, req);
      const q = statsQuery(entry, req);
      const state = entry.ws.state;
      const ws = state.workspace;
      const head = { account_sid: ws.accountSid, workspace_sid: ws.sid };
      return answer(
        kind,
        head,
        wsUrl(ctx.publicBase(req), ws.sid, kind),
        () => workspaceRealtime(state, q.channel, q.now),
        () => pick(taskCumulative(entry.events, q.window, scoped(q, {}), q.thresholds), CUMULATIVE_KEYS.workspace),
      );
    });
    allow(ctx, url, ['GET']);
  }

  const queueFigures = (entry: WorkspaceEntry, q: StatsQuery, queue: LiveQueue, kind: Kind, base: string): Record<string, unknown> => {
    const ws = entry.ws.state.workspace;
    const head = { account_sid: ws.accountSid, task_queue_sid: queue.record.sid, workspace_sid: ws.sid };
    return answer(
      kind,
      head,
      wsUrl(base, ws.sid, 'TaskQueues', queue.record.sid, kind),
      () => queueRealtime(entry.ws.state, queue, q.channel, q.now),
      () => pick(taskCumulative(entry.events, q.window, scoped(q, { queueSid: queue.record.sid }), q.thresholds), CUMULATIVE_KEYS.queue),
    );
  };

  for (const kind of KINDS) {
    const url = `${WORKSPACE}/TaskQueues/:TaskQueueSid/${kind}`;
    app.get(url, async (req: WsRequest<{ TaskQueueSid: string }>) => {
      const entry = workspaceOf(ctx, req);
      return queueFigures(entry, statsQuery(entry, req), entry.resources.queue(req.params.TaskQueueSid), kind, ctx.publicBase(req));
    });
    allow(ctx, url, ['GET']);
  }

  const queuesUrl = `${WORKSPACE}/TaskQueues/Statistics`;
  app.get(queuesUrl, async (req: WsRequest) => {
    const entry = workspaceOf(ctx, req);
    const q = statsQuery(entry, req);
    const state = entry.ws.state;
    const name = raw(q.params, 'FriendlyName');
    const base = ctx.publicBase(req);
    const items = [...state.queues.values()].filter((queue) => name === undefined || queue.record.friendlyName === name);
    return v1List({
      base,
      path: wsPath(state.workspace.sid, 'TaskQueues', 'Statistics'),
      key: 'task_queues_statistics',
      params: q.params,
      filterNames: ['FriendlyName', 'Minutes', 'StartDate', 'EndDate', 'TaskChannel', 'SplitByWaitTime'],
      items,
      keyOf: (queue) => oldestFirst(queue.record),
      toJson: (queue) => {
        const { url: _url, ...figures } = queueFigures(entry, q, queue, 'Statistics', base);
        return figures;
      },
    });
  });
  allow(ctx, queuesUrl, ['GET']);

  for (const kind of KINDS) {
    const url = `${WORKSPACE}/Workflows/:WorkflowSid/${kind}`;
    app.get(url, async (req: WsRequest<{ WorkflowSid: string }>) => {
      const entry = workspaceOf(ctx, req);
      const q = statsQuery(entry, req);
      const wf = entry.resources.workflow(req.params.WorkflowSid);
      const ws = entry.ws.state.workspace;
      const head = { account_sid: ws.accountSid, workflow_sid: wf.record.sid, workspace_sid: ws.sid };
      return answer(
        kind,
        head,
        wsUrl(ctx.publicBase(req), ws.sid, 'Workflows', wf.record.sid, kind),
        () => workflowRealtime(entry.ws.state, wf.record.sid, q.channel, q.now),
        () => pick(taskCumulative(entry.events, q.window, scoped(q, { workflowSid: wf.record.sid }), q.thresholds), CUMULATIVE_KEYS.workflow),
      );
    });
    allow(ctx, url, ['GET']);
  }

  const workersCumulative = (entry: WorkspaceEntry, q: StatsQuery, workers: readonly LiveWorker[]): Record<string, unknown> => ({
    ...pick(taskCumulative(entry.events, q.window, scoped(q, { workerSids: new Set(workers.map((w) => w.record.sid)) }), undefined), CUMULATIVE_KEYS.workers),
    activity_durations: activityDurations(entry.ws.state, entry.events, workers, q.window, q.now),
  });

  for (const kind of KINDS) {
    const url = `${WORKSPACE}/Workers/${kind}`;
    app.get(url, async (req: WsRequest) => {
      const entry = workspaceOf(ctx, req);
      const q = statsQuery(entry, req);
      const ws = entry.ws.state.workspace;
      const workers = filterWorkers(entry.ws.state, q.params);
      return answer(
        kind,
        { account_sid: ws.accountSid, workspace_sid: ws.sid },
        wsUrl(ctx.publicBase(req), ws.sid, 'Workers', kind),
        () => workersRealtime(entry.ws.state, workers),
        () => workersCumulative(entry, q, workers),
      );
    });
    allow(ctx, url, ['GET']);
  }

  const workerUrl = `${WORKSPACE}/Workers/:WorkerSid/Statistics`;
  app.get(workerUrl, async (req: WsRequest<{ WorkerSid: string }>) => {
    const entry = workspaceOf(ctx, req);
    const q = statsQuery(entry, req);
    const w = entry.resources.worker(req.params.WorkerSid);
    const ws = entry.ws.state.workspace;
    return {
      account_sid: ws.accountSid,
      cumulative: workersCumulative(entry, q, [w]),
      url: wsUrl(ctx.publicBase(req), ws.sid, 'Workers', w.record.sid, 'Statistics'),
      worker_sid: w.record.sid,
      workspace_sid: ws.sid,
    };
  });
  allow(ctx, workerUrl, ['GET']);
}
