import type { Logger } from 'pino';
import type { CallService } from '../api/call-service.js';
import type { EventStream } from '../events/event-stream.js';
import type { QueueService } from '../queues/queue-service.js';
import type { StateStore } from '../store/types.js';
import type { WebhookTransport } from '../webhooks/http-transport.js';
import { CallBridge } from './call-bridge.js';
import { TaskEnqueuer } from './task-enqueuer.js';
import { TaskRouterService } from './taskrouter-service.js';

/** The lease of the one engine of a cluster that runs TaskRouter's workspaces. */
export const TASKROUTER_LEASE = 'taskrouter';
const LEASE_MS = 15_000;

export interface StartedTaskRouter {
  service: TaskRouterService;
  /** What the calls use for <Enqueue> and <Dial><Queue>: the queues with TaskRouter in front. */
  queues: TaskEnqueuer;
  stop(): Promise<void>;
}

/**
 * Starts TaskRouter: its workspaces loaded from the store, the calls'
 * queues in front of it, and the instructions' calls through the engine's
 * call service (given later: it is made after the calls' dependencies).
 * With a shared Redis store one engine of the cluster runs the workspaces
 * (it holds the `taskrouter` lease), so that a task is never reserved
 * twice; the others answer TaskRouter's REST requests with 404 until it
 * moves to them.
 */
export async function startTaskRouter(opts: {
  state: StateStore;
  engineId: string;
  queues: QueueService;
  transport: WebhookTransport;
  events: EventStream;
  calls: () => CallService;
  authTokenFor: (accountSid: string) => string | undefined;
  log: Logger;
}): Promise<StartedTaskRouter> {
  const { state, engineId, log } = opts;
  const lazyCalls: CallService = {
    create: (p) => opts.calls().create(p),
    get: (a, s) => opts.calls().get(a, s),
    list: (a, f, p) => opts.calls().list(a, f, p),
    redirect: (a, s, t) => opts.calls().redirect(a, s, t),
    end: (a, s, st) => opts.calls().end(a, s, st),
  };
  const service = new TaskRouterService({ store: state.taskRouter, transport: opts.transport, authTokenFor: opts.authTokenFor, calls: new CallBridge(lazyCalls, opts.events), log });
  let renew: NodeJS.Timeout | undefined;
  const holder = `engine:${engineId}`;
  const runs = state.kind === 'embedded' || (await state.leases.acquire(TASKROUTER_LEASE, holder, LEASE_MS));
  if (runs) {
    await service.start();
    if (state.kind === 'redis') {
      renew = setInterval(() => void state.leases.acquire(TASKROUTER_LEASE, holder, LEASE_MS).catch(() => undefined), LEASE_MS / 3);
      renew.unref();
    }
  } else {
    log.info({ holder: await state.leases.holder(TASKROUTER_LEASE) }, 'TaskRouter runs on another engine of the cluster');
  }
  return {
    service,
    queues: new TaskEnqueuer(opts.queues, service, log),
    async stop() {
      if (renew) clearInterval(renew);
      service.close();
      if (runs && state.kind === 'redis') await state.leases.release(TASKROUTER_LEASE, holder).catch(() => undefined);
    },
  };
}
