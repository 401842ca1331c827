/**
 * Work distribution on one workspace: tasks routed through their
 * workflow's filters and targets to the workers their queues select, by
 * priority then age; reservations that are accepted, rejected or time out
 * (the worker then goes to the workspace's timeout activity); escalation
 * by target timeouts and skip_if; capacity per channel; a task's time to
 * live; and the workspace loaded again from its store after a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreOptionsSchema } from '../../config/store-options.js';
import { silentLogger } from '../../engine/logger.js';
import { EmbeddedStore } from '../../engine/store/embedded/embedded-store.js';
import { ACCOUNT, contactCenter, reservationsOf, service, until } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function openStore(dir?: string): Promise<{ store: EmbeddedStore; dir: string }> {
  const d = dir ?? (await mkdtemp(join(tmpdir(), 'dialtone-tr-')));
  if (!dir) cleanups.push(() => rm(d, { recursive: true, force: true }));
  const store = new EmbeddedStore(d, StoreOptionsSchema.parse({}), silentLogger());
  return { store, dir: d };
}

async function fresh() {
  const { store, dir } = await openStore();
  const svc = service(store.taskRouter);
  cleanups.push(async () => {
    svc.close();
    await store.close();
  });
  return { svc, store, dir, ...contactCenter(svc) };
}

describe('TaskRouter assignment', () => {
  it('a Spanish task goes to the Spanish speaker; accepted, the task is assigned; completed, the worker is free again', async () => {
    const c = await fresh();
    c.res.updateWorker(c.alice, { activitySid: c.act('Available') });
    c.res.updateWorker(c.bob, { activitySid: c.act('Available') });
    const t = c.ws.createTask(ACCOUNT, { attributes: '{"language":"es"}' });
    expect(t.record.taskQueueSid).toBe(c.spanish);
    const r = await until(() => reservationsOf(c.entry, t.record.sid)[0], 2000, 'a reservation');
    expect(r.workerSid).toBe(c.bob);
    expect(t.record.assignmentStatus).toBe('reserved');
    c.ws.accept(r.sid);
    expect(t.record.assignmentStatus).toBe('assigned');
    expect(r.status).toBe('accepted');
    // bob is busy (voice/default capacity 1): the next Spanish task waits.
    const t2 = c.ws.createTask(ACCOUNT, { attributes: '{"language":"es"}' });
    await new Promise((res) => setImmediate(res));
    expect(reservationsOf(c.entry, t2.record.sid)).toHaveLength(0);
    c.ws.updateTask(t.record.sid, { assignmentStatus: 'completed', reason: 'done' });
    expect(r.status).toBe('completed');
    const r2 = await until(() => reservationsOf(c.entry, t2.record.sid)[0], 2000, 'the second reservation');
    expect(r2.workerSid).toBe(c.bob);
    const types = c.entry.events.map((e) => e.eventType);
    expect(types).toEqual(expect.arrayContaining(['task.created', 'task-queue.entered', 'reservation.created', 'reservation.accepted', 'task.completed', 'reservation.completed']));
  });

  it('a reservation not answered in time times out to the next worker, and its worker goes to the timeout activity', async () => {
    const { store } = await openStore();
    const svc = service(store.taskRouter);
    cleanups.push(async () => {
      svc.close();
      await store.close();
    });
    const c = contactCenter(svc, { reservationTimeout: 1 });
    c.res.updateWorker(c.alice, { activitySid: c.act('Available') });
    const t = c.ws.createTask(ACCOUNT, { attributes: '{"language":"en"}' });
    const first = await until(() => reservationsOf(c.entry, t.record.sid)[0], 2000, 'alice reserved');
    expect(first.workerSid).toBe(c.alice);
    c.res.updateWorker(c.bob, { activitySid: c.act('Available') });
    const second = await until(() => reservationsOf(c.entry, t.record.sid).find((r) => r.workerSid === c.bob), 4000, 'bob reserved after the timeout');
    expect(first.status).toBe('timeout');
    expect(second.status).toBe('pending');
    expect(c.ws.state.workers.get(c.alice)?.record.activitySid).toBe(c.entry.ws.state.workspace.timeoutActivitySid);
    expect(c.entry.events.some((e) => e.eventType === 'reservation.timeout' && e.resourceSid === first.sid)).toBe(true);
  });

  it('a later high-priority task is offered before an older normal one', async () => {
    const c = await fresh();
    const older = c.ws.createTask(ACCOUNT, { attributes: '{"language":"en"}', priority: 1 });
    await new Promise((r) => setTimeout(r, 5));
    const urgent = c.ws.createTask(ACCOUNT, { attributes: '{"language":"en"}', priority: 10 });
    const same = c.ws.createTask(ACCOUNT, { attributes: '{"language":"en"}', priority: 1 });
    c.res.updateWorker(c.alice, { activitySid: c.act('Available') });
    const r = await until(() => [...c.ws.state.reservations.values()][0], 2000, 'a reservation');
    expect(r.taskSid).toBe(urgent.record.sid);
    c.ws.accept(r.sid);
    c.ws.updateTask(urgent.record.sid, { assignmentStatus: 'completed' });
    const next = await until(() => [...c.ws.state.reservations.values()].find((x) => x.taskSid !== urgent.record.sid), 2000, 'the next reservation');
    expect(next.taskSid).toBe(older.record.sid);
    expect(same.record.assignmentStatus).toBe('pending');
  });

  it('a rejected task is not offered to the same worker again; it goes to the next one', async () => {
    const c = await fresh();
    c.res.updateWorker(c.bob, { activitySid: c.act('Available') });
    const t = c.ws.createTask(ACCOUNT, { attributes: '{"language":"en"}' });
    const r = await until(() => reservationsOf(c.entry, t.record.sid)[0], 2000, 'bob reserved');
    c.ws.reject(r.sid);
    await new Promise((res) => setImmediate(res));
    expect(reservationsOf(c.entry, t.record.sid)).toHaveLength(1);
    expect(t.record.assignmentStatus).toBe('pending');
    c.res.updateWorker(c.alice, { activitySid: c.act('Available') });
    const r2 = await until(() => reservationsOf(c.entry, t.record.sid)[1], 2000, 'alice reserved');
    expect(r2.workerSid).toBe(c.alice);
  });

  it('target timeouts escalate to the next queue; skip_if skips a queue with nobody available', async () => {
    const { store } = await openStore();
    const svc = service(store.taskRouter);
    cleanups.push(async () => {
      svc.close();
      await store.close();
    });
    const c = contactCenter(svc);
    const vipQueue = c.res.createQueue({ friendlyName: 'VIP', targetWorkers: 'vip == true' }).record.sid;
    const config = {
      task_routing: {
        filters: [
          { expression: 'tier == "gold"', targets: [{ queue: vipQueue, timeout: 1 }, { queue: c.english }] },
          { expression: 'tier == "silver"', targets: [{ queue: vipQueue, skip_if: 'workers.available == 0' }, { queue: c.english, priority: 7 }] },
        ],
        default_filter: { queue: c.everyone },
      },
    };
    c.res.updateWorkflow(c.workflow, { configuration: JSON.stringify(config) });
    const gold = c.ws.createTask(ACCOUNT, { attributes: '{"tier":"gold"}' });
    const silver = c.ws.createTask(ACCOUNT, { attributes: '{"tier":"silver"}' });
    expect(gold.record.taskQueueSid).toBe(vipQueue);
    await until(() => silver.record.taskQueueSid === c.english, 1000, 'silver skipped to English');
    expect(silver.record.priority).toBe(7);
    await until(() => gold.record.taskQueueSid === c.english, 3000, 'gold escalated to English');
    expect(c.entry.events.some((e) => e.eventType === 'task-queue.timeout' && e.resourceSid === gold.record.sid)).toBe(true);
    expect(c.entry.events.some((e) => e.eventType === 'workflow.skipped' && e.resourceSid === silver.record.sid)).toBe(true);
  });

  it('a worker with capacity 2 on a channel holds two of its tasks at once; a task past its time to live is canceled', async () => {
    const c = await fresh();
    const chat = c.res.channel('chat').sid;
    c.res.updateWorkerChannel(c.alice, chat, { capacity: 2 });
    c.res.updateWorker(c.alice, { activitySid: c.act('Available') });
    const a = c.ws.createTask(ACCOUNT, { attributes: '{"language":"en"}', taskChannel: 'chat' });
    const b = c.ws.createTask(ACCOUNT, { attributes: '{"language":"en"}', taskChannel: 'chat' });
    const d = c.ws.createTask(ACCOUNT, { attributes: '{"language":"en"}', taskChannel: 'chat', timeout: 1 });
    await until(() => reservationsOf(c.entry, a.record.sid)[0] && reservationsOf(c.entry, b.record.sid)[0], 2000, 'two reservations');
    expect(reservationsOf(c.entry, d.record.sid)).toHaveLength(0);
    await until(() => d.record.assignmentStatus === 'canceled', 3000, 'the third task canceled');
    expect(d.record.reason).toBe('Task TTL Exceeded');
  });

  it('a bad expression or configuration is refused with where it fails', async () => {
    const c = await fresh();
    expect(() => c.res.createQueue({ friendlyName: 'Bad', targetWorkers: 'languages HAS' })).toThrow(/TargetWorkers: Invalid expression at character \d+/);
    expect(() => c.res.createWorkflow({ friendlyName: 'Bad', configuration: '{"task_routing":{"filters":[{"expression":"x ==","targets":[{"queue":"' + c.english + '"}]}]}}' })).toThrow(
      /task_routing\.filters\[0\]\.expression: Invalid expression/,
    );
    expect(() => c.res.createWorkflow({ friendlyName: 'Bad', configuration: '{"task_routing":{"default_filter":{"queue":"WQnope"}}}' })).toThrow(/default_filter\.queue: "WQnope" is not a TaskQueue/);
    expect(() => c.ws.createTask(ACCOUNT, { attributes: '[1]' })).toThrow(/Attributes must be a JSON object/);
  });

  it('after a restart the workspace is loaded from the store: tasks, reservations and loads as they were', async () => {
    const { store, dir } = await openStore();
    const svc = service(store.taskRouter);
    const c = contactCenter(svc);
    c.res.updateWorker(c.bob, { activitySid: c.act('Available') });
    const t = c.ws.createTask(ACCOUNT, { attributes: '{"language":"es"}' });
    const waiting = c.ws.createTask(ACCOUNT, { attributes: '{"language":"es"}' });
    const r = await until(() => reservationsOf(c.entry, t.record.sid)[0], 2000, 'a reservation');
    c.ws.accept(r.sid);
    svc.close();
    await store.close();

    const again = await openStore(dir);
    const svc2 = service(again.store.taskRouter);
    cleanups.push(async () => {
      svc2.close();
      await again.store.close();
    });
    await svc2.start();
    const entry = svc2.entry(ACCOUNT, c.entry.ws.sid);
    expect(entry.ws.state.tasks.get(t.record.sid)?.record.assignmentStatus).toBe('assigned');
    expect(entry.ws.state.tasks.get(waiting.record.sid)?.record.assignmentStatus).toBe('pending');
    expect(entry.ws.state.workers.get(c.bob)?.totalLoad).toBe(1);
    expect(entry.events.length).toBeGreaterThan(5);
    // Completing the first frees bob, and the waiting task goes to him.
    entry.ws.updateTask(t.record.sid, { assignmentStatus: 'completed' });
    const r2 = await until(() => reservationsOf(entry, waiting.record.sid)[0], 2000, 'the waiting task reserved');
    expect(r2.workerSid).toBe(c.bob);
  });
});
