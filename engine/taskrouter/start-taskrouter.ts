import type { Logger } from 'pino';
import type { CallService } from '../api/call-service.js';
import type { EventStream } from '../events/event-stream.js';
import type { QueueService } from '../queues/queue-service.js';
import type { StateStore } from '../store/types.js';
import type { WebhookTransport } from '../webhooks/http-transport.js';
import type { ForwardedReply, ForwardedRequest, Forwarding } from '../api/forwarding.js';
import { BusRequests } from '../cluster/bus-requests.js';
import { LeaseKeeper } from '../cluster/lease-keeper.js';
import { CallBridge } from './call-bridge.js';
import { LocalCallTasks } from './call-tasks.js';
import { ClusterCallTasks } from './cluster-call-tasks.js';
import type { TaskCalls } from './task-calls.js';
import { TaskEnqueuer } from './task-enqueuer.js';
import { TaskRouterService } from './taskrouter-service.js';

/** The lease of the one engine of a cluster that runs TaskRouter's workspaces. */
export const TASKROUTER_LEASE = 'taskrouter';
const LEASE_MS = 15_000;
/** How long a REST request carried to the engine that runs TaskRouter may take there. */
const FORWARD_TIMEOUT_MS = 10_000;

export interface StartedTaskRouter {
  service: TaskRouterService;
  /** What the calls use for <Enqueue> and <Dial><Queue>: the queues with TaskRouter in front. */
  queues: TaskEnqueuer;
  /** With a shared store: where TaskRouter's REST requests are answered (for the API). */
  forwarding?: Forwarding;
  /** With a shared store: answers the requests other engines carry here (the API's own routes). */
  answerForwarded(answer: (request: ForwardedRequest) => Promise<ForwardedReply>): Promise<void>;
  stop(): Promise<void>;
}

export interface TaskRouterOptions {
  state: StateStore;
  engineId: string;
  queues: QueueService;
  transport: WebhookTransport;
  events: EventStream;
  calls: () => CallService;
  authTokenFor: (accountSid: string) => string | undefined;
  log: Logger;
  /** The lease's time (a lost engine's workspaces move within it); 15 s. */
  leaseMs?: number;
}

/**
 * Starts TaskRouter: its workspaces loaded from the store, the calls'
 * queues in front of it, and the instructions' calls through the engine's
 * call service (given later: it is made after the calls' dependencies).
 * With a shared Redis store one engine of the cluster runs the workspaces,
 * the one that holds the `taskrouter` lease, so that a task is never
 * reserved twice and no worker is offered past its capacity; the others
 * carry TaskRouter's REST requests to it over the store's bus, and take the
 * workspaces over from the store when its lease lapses (it stopped, or was
 * lost).
 */
export async function startTaskRouter(opts: TaskRouterOptions): Promise<StartedTaskRouter> {
  const { state, engineId, log } = opts;
  const lazyCalls: CallService = {
    create: (p) => opts.calls().create(p),
    get: (a, s) => opts.calls().get(a, s),
    list: (a, f, p) => opts.calls().list(a, f, p),
    redirect: (a, s, t) => opts.calls().redirect(a, s, t),
    end: (a, s, st) => opts.calls().end(a, s, st),
    updateCallbacks: (a, s, c) => opts.calls().updateCallbacks(a, s, c),
    delete: (a, s) => opts.calls().delete(a, s),
  };
  const bridge = new CallBridge(lazyCalls, opts.events);
  // On a cluster a dequeue's worker call is placed by the caller's engine (cluster-call-tasks.ts).
  const late: { cluster?: ClusterCallTasks } = {};
  const calls: TaskCalls = {
    dequeue: (r) => (late.cluster ? late.cluster.dequeue(r) : bridge.dequeue(r)),
    call: (r) => bridge.call(r),
    cancel: (r) => bridge.cancel(r),
    redirect: (r) => bridge.redirect(r),
    conference: (r) => bridge.conference(r),
  };
  const service = new TaskRouterService({ store: state.taskRouter, transport: opts.transport, authTokenFor: opts.authTokenFor, calls, log });
  const local = new LocalCallTasks(service);
  if (state.kind === 'embedded') {
    const queues = new TaskEnqueuer(opts.queues, local, log);
    service.instructions.onTaskEnded((t) => queues.taskEnded(t.sid));
    await service.start();
    return { service, queues, answerForwarded: async () => undefined, stop: async () => service.close() };
  }

  const requests = new BusRequests<ForwardedRequest, ForwardedReply>(state.bus, 'taskrouter-rest', engineId, log, FORWARD_TIMEOUT_MS);
  const lease = new LeaseKeeper(state.leases, TASKROUTER_LEASE, engineId, opts.leaseMs ?? LEASE_MS, { gained: () => service.start(), lost: () => service.close() }, log);
  const cluster = new ClusterCallTasks(state, engineId, local, bridge, { here: () => lease.holds, current: () => lease.current() }, log);
  late.cluster = cluster;
  const queues = new TaskEnqueuer(opts.queues, cluster, log);
  service.instructions.onTaskEnded((t) => {
    queues.taskEnded(t.sid);
    cluster.announceTaskEnded(t.sid);
  });
  await cluster.start((taskSid) => queues.taskEnded(taskSid));
  await lease.start();
  if (!lease.holds) log.info({ holder: await lease.current() }, 'TaskRouter runs on another engine of the cluster');
  return {
    service,
    queues,
    forwarding: {
      here: () => lease.holds,
      target: () => lease.current(),
      send: (target, request) => requests.send(target, request, 'TaskRouter'),
    },
    answerForwarded: (answer) => requests.start(answer),
    async stop() {
      requests.close();
      cluster.close();
      await lease.stop();
    },
  };
}
