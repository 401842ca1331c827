/**
 * TaskRouter on a cluster of two engines sharing one Redis: one engine runs
 * the workspaces (it holds the `taskrouter` lease) and the other carries
 * TaskRouter's REST requests to it, so tasks made through both at once are
 * each reserved once and no worker is offered past its capacity. When the
 * engine that runs them stops, the other takes the workspaces over from the
 * store, with their tasks and reservations, and goes on assigning.
 */
import type twilio from 'twilio';
import { describe, it } from 'vitest';
import { waitUntil } from '../support/ports.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { respond } from './helpers/app-server.js';
import { startTwoEngines } from './helpers/two-engines.js';
import { ACCOUNT_SID, AUTH_TOKEN } from './helpers/router-harness.js';

const WORKERS = 8;
const TASKS = 30;
const LEASE_MS = 1500;

type Workspace = ReturnType<twilio.Twilio['taskrouter']['v1']['workspaces']>;

/** The reservations in progress (pending or accepted) of every worker, by worker sid. */
async function reservationsInProgress(ws: Workspace, workerSids: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const sid of workerSids) {
    const list = await ws.workers(sid).reservations.list();
    out.set(sid, list.filter((r) => r.reservationStatus === 'pending' || r.reservationStatus === 'accepted').map((r) => r.taskSid));
  }
  return out;
}

describe('TaskRouter on two engines sharing one Redis', () => {
  it('tasks made through both engines are reserved once each; the other engine takes over when the first stops', async ({ expect, onTestFinished }) => {
    const { a, b } = await startTwoEngines(onTestFinished, { applications: [{ id: 'none', voice: '/voice' }], keyPrefix: 'cluster-tr', leaseMs: LEASE_MS });
    // The assignment callback answers no instruction: each reservation stays pending until the test accepts it.
    a.app.on('/assign', respond(''));
    const viaA = twilioClientFor(a.apiBase, ACCOUNT_SID, AUTH_TOKEN).client.taskrouter.v1;
    const viaB = twilioClientFor(b.apiBase, ACCOUNT_SID, AUTH_TOKEN).client.taskrouter.v1;

    // Made through B, which does not run the workspaces: its requests are carried to A.
    const created = await viaB.workspaces.create({ friendlyName: 'Cluster', multiTaskEnabled: true });
    expect(created.url).toBe(`${b.apiBase}/v1/Workspaces/${created.sid}`);
    const wsA = viaA.workspaces(created.sid);
    const wsB = viaB.workspaces(created.sid);
    expect((await wsA.fetch()).friendlyName).toBe('Cluster');
    const available = (await wsB.activities.list({ friendlyName: 'Available' }))[0]?.sid as string;
    const queue = await wsA.taskQueues.create({ friendlyName: 'Everyone', targetWorkers: '1==1' });
    const workflow = await wsB.workflows.create({
      friendlyName: 'All',
      assignmentCallbackUrl: a.app.url('/assign'),
      taskReservationTimeout: 120,
      configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: queue.sid } } }),
    });
    const workers: string[] = [];
    for (let i = 0; i < WORKERS; i++) {
      const api = i % 2 === 0 ? wsA : wsB;
      workers.push((await api.workers.create({ friendlyName: `agent-${i}`, activitySid: available, attributes: '{}' })).sid);
    }

    // Tasks through both engines at once.
    const tasks = await Promise.all(
      Array.from({ length: TASKS }, (_, i) => (i % 2 === 0 ? wsA : wsB).tasks.create({ workflowSid: workflow.sid, taskChannel: 'voice', attributes: JSON.stringify({ n: i }) })),
    );
    expect(new Set(tasks.map((t) => t.sid)).size).toBe(TASKS);
    await a.app.waitForCount('/assign', WORKERS, 10_000);

    const holdsOne = async (ws: Workspace): Promise<void> => {
      const inProgress = await reservationsInProgress(ws, workers);
      for (const [worker, taskSids] of inProgress) expect(taskSids, `reservations of worker ${worker}`).toHaveLength(1);
      const reservedTasks = [...inProgress.values()].flat();
      expect(new Set(reservedTasks).size, 'each task reserved for one worker').toBe(reservedTasks.length);
    };
    await holdsOne(wsB);
    const reserved = await wsB.tasks.list({ assignmentStatus: ['reserved'] });
    expect(reserved).toHaveLength(WORKERS);
    expect(await wsA.tasks.list({ assignmentStatus: ['pending'] })).toHaveLength(TASKS - WORKERS);
    // One assignment callback per reservation, none for a task twice.
    const callbacks = a.app.to('/assign');
    expect(callbacks).toHaveLength(WORKERS);
    expect(new Set(callbacks.map((c) => c.params.TaskSid)).size).toBe(WORKERS);
    expect(new Set(callbacks.map((c) => c.params.WorkerSid)).size).toBe(WORKERS);

    // A, which runs the workspaces, stops (its engine; the applications' server goes on): B takes them over from the store, reservations and all.
    await a.engine.stop();
    await waitUntil(async () => (await wsB.tasks.list({ assignmentStatus: ['reserved'] }).catch(() => [])).length === WORKERS, 10_000, 'B answering for TaskRouter');
    await holdsOne(wsB);

    // Accepting and completing the reservations frees the workers: B assigns the next tasks, still once each.
    const firstRound = await reservationsInProgress(wsB, workers);
    for (const [worker, [taskSid]] of firstRound) {
      const reservation = (await wsB.workers(worker).reservations.list({ reservationStatus: 'pending' }))[0];
      expect(reservation?.taskSid).toBe(taskSid);
      await wsB.workers(worker).reservations(reservation?.sid as string).update({ reservationStatus: 'accepted' });
      await wsB.tasks(taskSid as string).update({ assignmentStatus: 'completed', reason: 'done' });
    }
    await waitUntil(() => a.app.to('/assign').length >= 2 * WORKERS, 10_000, 'the second round of assignment callbacks');
    await holdsOne(wsB);
    const all = a.app.to('/assign');
    expect(all).toHaveLength(2 * WORKERS);
    expect(new Set(all.map((c) => c.params.TaskSid)).size).toBe(2 * WORKERS);
    expect(await wsB.tasks.list({ assignmentStatus: ['completed'] })).toHaveLength(WORKERS);
    expect(await wsB.tasks.list({ assignmentStatus: ['pending'] })).toHaveLength(TASKS - 2 * WORKERS);
  });
});
