import { silentLogger } from '../../engine/logger.js';
import type { TaskRouterStore } from '../../engine/store/taskrouter-store.js';
import { TaskRouterService, type WorkspaceEntry } from '../../engine/taskrouter/taskrouter-service.js';
import { WebhookTransport } from '../../engine/webhooks/http-transport.js';

export const ACCOUNT = 'AC' + '1'.repeat(32);

export function service(store: TaskRouterStore): TaskRouterService {
  return new TaskRouterService({ store, transport: new WebhookTransport({}), authTokenFor: () => 'token', log: silentLogger() });
}

/** Polls `check` every 5 ms until it gives a value, failing after `ms`. */
export async function until<T>(check: () => T | undefined | false, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A workspace with English and Spanish queues, a workflow routing by `language`, and alice (en) and bob (es). */
export function contactCenter(svc: TaskRouterService, opts: { reservationTimeout?: number; extraFilters?: object[] } = {}) {
  const entry: WorkspaceEntry = svc.createWorkspace(ACCOUNT, { friendlyName: 'Support' });
  const res = entry.resources;
  const act = (name: string): string => [...entry.ws.state.activities.values()].find((a) => a.friendlyName === name)?.sid as string;
  const english = res.createQueue({ friendlyName: 'English', targetWorkers: 'languages HAS "en"' }).record.sid;
  const spanish = res.createQueue({ friendlyName: 'Spanish', targetWorkers: 'languages HAS "es"' }).record.sid;
  const everyone = res.createQueue({ friendlyName: 'Everyone', targetWorkers: '1==1' }).record.sid;
  const config = {
    task_routing: {
      filters: [
        ...(opts.extraFilters ?? []),
        { filter_friendly_name: 'Spanish', expression: 'language == "es"', targets: [{ queue: spanish }] },
        { filter_friendly_name: 'English', expression: 'language == "en"', targets: [{ queue: english }] },
      ],
      default_filter: { queue: everyone },
    },
  };
  const workflow = res.createWorkflow({ friendlyName: 'Route', configuration: JSON.stringify(config), taskReservationTimeout: opts.reservationTimeout ?? 120 }).record.sid;
  const alice = res.createWorker({ friendlyName: 'alice', attributes: JSON.stringify({ languages: ['en'], contact_uri: 'client:alice' }) }).record.sid;
  const bob = res.createWorker({ friendlyName: 'bob', attributes: JSON.stringify({ languages: ['es', 'en'], contact_uri: 'client:bob' }) }).record.sid;
  return { entry, ws: entry.ws, res, act, english, spanish, everyone, workflow, alice, bob };
}

export function reservationsOf(entry: WorkspaceEntry, taskSid: string) {
  return [...entry.ws.state.reservations.values()].filter((r) => r.taskSid === taskSid);
}
