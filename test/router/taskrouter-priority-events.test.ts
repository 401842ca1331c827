/**
 * TaskRouter as a contact-center app sees it over the REST API (the twilio
 * library's taskrouter client) and its own web server, against the whole
 * engine:
 * - priority: with nobody available an older normal task and a later
 *   high-priority one wait; when a worker becomes Available the
 *   high-priority task is reserved first, then the older normal one, then
 *   the newer normal one (the assignment callbacks tell the order).
 * - event callbacks: the workspace's EventCallbackUrl gets task.created,
 *   reservation.created, reservation.accepted, worker.activity.update, ...
 *   with Twilio's parameters, and an X-Twilio-Signature that the twilio
 *   library's validateRequest accepts with the account's auth token and
 *   rejects with another token or altered parameters.
 */
import twilio from 'twilio';
import { describe, it } from 'vitest';
import { twilioClientFor } from '../support/twilio-client.js';
import { noContent, twiml, type AppRequest } from './helpers/app-server.js';
import { pollUntil } from './helpers/contact-center.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter, type RouterHarness } from './helpers/router-harness.js';
import { twilioAccepts } from './helpers/signature.js';

type TaskRouterV1 = twilio.Twilio['taskrouter']['v1'];

const accept = twiml(JSON.stringify({ instruction: 'accept' }), 'application/json');

/** A workspace with one TaskQueue of every worker and a Workflow sending every task there, its assignment callback at /assign. */
async function supportDesk(tr: TaskRouterV1, h: RouterHarness, workspace: { friendlyName: string; eventCallbackUrl?: string }) {
  const ws = await tr.workspaces.create(workspace);
  const w = tr.workspaces(ws.sid);
  const activities = await w.activities.list();
  const available = activities.find((a) => a.friendlyName === 'Available')!;
  const offline = activities.find((a) => a.friendlyName === 'Offline')!;
  const queue = await w.taskQueues.create({ friendlyName: 'Support', targetWorkers: '1==1' });
  const workflow = await w.workflows.create({
    friendlyName: 'Support',
    configuration: JSON.stringify({ task_routing: { filters: [], default_filter: { queue: queue.sid } } }),
    assignmentCallbackUrl: h.app.url('/assign'),
  });
  return { ws, w, available, offline, queue, workflow };
}

describe('TaskRouter priority and event callbacks', () => {
  it('a later high-priority task is reserved before an older normal one when a worker becomes available', { timeout: 60_000 }, async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'support', voice: '/support' }] });
    onTestFinished(() => h.stop());
    const tr = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN).client.taskrouter.v1;
    h.app.on('/assign', accept);
    const { w, available, offline, queue, workflow } = await supportDesk(tr, h, { friendlyName: 'Priorities' });
    const carol = await w.workers.create({ friendlyName: 'carol', attributes: '{}', activitySid: offline.sid });

    const older = await w.tasks.create({ workflowSid: workflow.sid, attributes: JSON.stringify({ case: 'older normal' }) });
    const urgent = await w.tasks.create({ workflowSid: workflow.sid, attributes: JSON.stringify({ case: 'urgent' }), priority: 10 });
    const newer = await w.tasks.create({ workflowSid: workflow.sid, attributes: JSON.stringify({ case: 'newer normal' }) });
    expect([older.priority, urgent.priority, newer.priority]).toEqual([0, 10, 0]);
    // Nobody is available: all three wait in the queue.
    for (const t of [older, urgent, newer]) expect((await w.tasks(t.sid).fetch()).assignmentStatus).toBe('pending');
    expect(h.app.to('/assign')).toHaveLength(0);
    const waiting = await w.tasks.list({ assignmentStatus: ['pending'] });
    expect(waiting.map((t) => t.sid).sort()).toEqual([older.sid, urgent.sid, newer.sid].sort());

    // carol logs in: the urgent task first.
    await w.workers(carol.sid).update({ activitySid: available.sid });
    const firstAssign = await h.app.waitFor((r) => r.pathname === '/assign', 10_000, 'the first assignment callback');
    expect(firstAssign.params).toMatchObject({ TaskSid: urgent.sid, TaskPriority: '10', WorkerSid: carol.sid, TaskQueueSid: queue.sid });
    await pollUntil('the urgent task assigned', () => w.tasks(urgent.sid).fetch(), (t) => t.assignmentStatus === 'assigned');
    expect((await w.tasks(older.sid).fetch()).assignmentStatus).toBe('pending');
    expect((await w.workers(carol.sid).reservations.list()).map((r) => [r.taskSid, r.reservationStatus])).toEqual([[urgent.sid, 'accepted']]);

    // Each completed task frees carol for the next: the older normal one, then the newer.
    await w.tasks(urgent.sid).update({ assignmentStatus: 'completed', reason: 'done' });
    await h.app.waitForCount('/assign', 2, 10_000);
    await pollUntil('the older task assigned', () => w.tasks(older.sid).fetch(), (t) => t.assignmentStatus === 'assigned');
    await w.tasks(older.sid).update({ assignmentStatus: 'completed', reason: 'done' });
    await h.app.waitForCount('/assign', 3, 10_000);
    expect(h.app.to('/assign').map((r) => r.params.TaskSid)).toEqual([urgent.sid, older.sid, newer.sid]);
    expect(h.app.to('/assign').map((r) => r.params.TaskPriority)).toEqual(['10', '0', '0']);
  });

  it("the workspace's event callbacks carry Twilio's parameters and a signature validateRequest accepts", { timeout: 60_000 }, async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'support', voice: '/support' }] });
    onTestFinished(() => h.stop());
    const tr = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN).client.taskrouter.v1;
    h.app.on('/events', noContent());
    // The app takes reservations itself through the REST API: its assignment callback says nothing.
    h.app.on('/assign', noContent());
    const { ws, w, available, offline, queue, workflow } = await supportDesk(tr, h, { friendlyName: 'Signed events', eventCallbackUrl: h.app.url('/events') });
    const dave = await w.workers.create({ friendlyName: 'dave', attributes: JSON.stringify({ skills: ['billing'] }), activitySid: offline.sid });
    const task = await w.tasks.create({ workflowSid: workflow.sid, attributes: JSON.stringify({ topic: 'billing' }), priority: 3 });
    await w.workers(dave.sid).update({ activitySid: available.sid });
    const assign = await h.app.waitFor((r) => r.pathname === '/assign', 10_000, 'the assignment callback');
    const reservationSid = assign.params.ReservationSid as string;
    await w.tasks(task.sid).reservations(reservationSid).update({ reservationStatus: 'accepted' });
    await w.tasks(task.sid).update({ assignmentStatus: 'completed', reason: 'resolved' });

    const wanted = ['worker.created', 'task.created', 'worker.activity.update', 'reservation.created', 'reservation.accepted', 'task.completed', 'reservation.completed'];
    const has = (type: string): boolean => h.app.to('/events').some((r) => r.params.EventType === type);
    await pollUntil('the events', async () => wanted.filter((t) => !has(t)), (missing) => missing.length === 0);
    const events = h.app.to('/events');
    const one = (type: string, where: (r: AppRequest) => boolean = () => true): AppRequest => {
      const found = events.find((r) => r.params.EventType === type && where(r));
      if (!found) throw new Error(`no ${type} event`);
      return found;
    };

    // Every event: POSTed, signed for this account, with the workspace's and its own identity.
    for (const e of events) {
      expect(e.method).toBe('POST');
      expect(e.params).toMatchObject({ AccountSid: ACCOUNT_SID, WorkspaceSid: ws.sid, WorkspaceName: 'Signed events' });
      expect(e.params.Sid).toMatch(/^EV[0-9a-f]{32}$/);
      expect(Number(e.params.Timestamp)).toBeGreaterThan(1_600_000_000);
      expect(twilioAccepts(e, AUTH_TOKEN), `${e.params.EventType} signed with the auth token`).toBe(true);
      expect(twilioAccepts(e, 'not-the-auth-token'), `${e.params.EventType} with another token`).toBe(false);
      const signature = String(e.headers['x-twilio-signature']);
      expect(twilio.validateRequest(AUTH_TOKEN, signature, e.url, { ...e.params, EventType: 'task.canceled' })).toBe(false);
      expect(twilio.validateRequest(AUTH_TOKEN, signature, e.url.replace('/events', '/other'), e.params)).toBe(false);
    }

    expect(one('task.created').params).toMatchObject({
      ResourceType: 'Task',
      ResourceSid: task.sid,
      TaskSid: task.sid,
      TaskPriority: '3',
      TaskAssignmentStatus: 'pending',
      WorkflowSid: workflow.sid,
      WorkflowName: 'Support',
    });
    expect(JSON.parse(one('task.created').params.TaskAttributes ?? '')).toEqual({ topic: 'billing' });
    expect(one('worker.activity.update').params).toMatchObject({
      ResourceType: 'Worker',
      ResourceSid: dave.sid,
      WorkerSid: dave.sid,
      WorkerName: 'dave',
      WorkerActivitySid: available.sid,
      WorkerActivityName: 'Available',
      WorkerPreviousActivitySid: offline.sid,
    });
    for (const [type, status] of [
      ['reservation.created', 'pending'],
      ['reservation.accepted', 'accepted'],
      ['reservation.completed', 'completed'],
    ] as const) {
      expect(one(type).params, type).toMatchObject({
        ResourceType: 'Reservation',
        ResourceSid: reservationSid,
        ReservationSid: reservationSid,
        ReservationStatus: status,
        TaskSid: task.sid,
        TaskQueueSid: queue.sid,
        WorkerSid: dave.sid,
        WorkerName: 'dave',
      });
    }
    expect(one('task.completed').params).toMatchObject({ TaskSid: task.sid, TaskAssignmentStatus: 'completed', TaskCompletedReason: 'resolved' });

    // The Events resource holds the same events the callbacks brought.
    const listed = await w.events.list({ taskSid: task.sid });
    const sent = events.filter((e) => e.params.TaskSid === task.sid).map((e) => e.params.Sid);
    expect(listed.map((e) => e.sid).sort()).toEqual(expect.arrayContaining(sent.sort()));
  });
});
