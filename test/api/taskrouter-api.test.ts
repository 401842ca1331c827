/**
 * TaskRouter's REST API (/v1/Workspaces/...) driven through the official
 * twilio library (client.taskrouter.v1.workspaces), against the real
 * TaskRouterService: a Spanish task is routed to the Spanish-speaking
 * worker, reserved, accepted, completed; statistics and events tell it;
 * bad requests get Twilio's error JSON; long lists page.
 */
import type { FastifyRequest } from 'fastify';
import type twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { publicBase } from '../../engine/api/taskrouter/public-base.js';
import { twilioClientFor, type RewritingRequestClient } from '../support/twilio-client.js';
import { AUTH_TOKEN, OTHER_AUTH_TOKEN, basicAuth } from './api-harness.js';
import { ACCOUNT, OTHER_ACCOUNT } from './in-memory-services.js';
import { startTaskRouterApi, type TaskRouterApi } from './taskrouter-harness.js';

let api: TaskRouterApi;
let client: twilio.Twilio;
let http: RewritingRequestClient;

beforeAll(async () => {
  api = await startTaskRouterApi();
  ({ client, http } = twilioClientFor(api.base, ACCOUNT, AUTH_TOKEN));
});
afterAll(() => api.close());

/** Asks `probe` again (on the next turns of the event loop) until it gives something; fails past the deadline. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs = 5000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const NO_SUCH = (prefix: string): string => prefix + '0'.repeat(32);

describe('TaskRouter through the twilio library', () => {
  let wsSid: string;
  const ws = (): ReturnType<twilio.Twilio['taskrouter']['v1']['workspaces']> => client.taskrouter.v1.workspaces(wsSid);
  const activity: Record<string, string> = {};
  let queueSid: string;
  let workflowSid: string;
  let alice: string;
  let bob: string;
  let taskSid: string;
  let reservationSid: string;
  let secondTask: string;

  test('a new workspace has Offline, Available and Unavailable, and the default task channels', async () => {
    const created = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Support', multiTaskEnabled: true });
    wsSid = created.sid;
    expect(created.sid).toMatch(/^WS[0-9a-f]{32}$/);
    expect(created.accountSid).toBe(ACCOUNT);
    expect(created.friendlyName).toBe('Support');
    expect(created.defaultActivityName).toBe('Offline');
    expect(created.timeoutActivityName).toBe('Offline');
    expect(created.multiTaskEnabled).toBe(true);
    expect(created.prioritizeQueueOrder).toBe('FIFO');
    expect(created.dateCreated).toBeInstanceOf(Date);
    expect(created.url).toBe(`${api.base}/v1/Workspaces/${wsSid}`);
    expect(created.links.workers).toBe(`${api.base}/v1/Workspaces/${wsSid}/Workers`);
    expect(http.requested.at(-1)).toMatchObject({ method: 'POST', uri: `${api.base}/v1/Workspaces` });

    const activities = await ws().activities.list();
    expect(activities.map((a) => a.friendlyName).sort()).toEqual(['Available', 'Offline', 'Unavailable']);
    for (const a of activities) activity[a.friendlyName] = a.sid;
    expect(activities.find((a) => a.friendlyName === 'Available')?.available).toBe(true);
    expect(activities.find((a) => a.friendlyName === 'Offline')?.available).toBe(false);
    expect(created.defaultActivitySid).toBe(activity.Offline);

    const channels = await ws().taskChannels.list();
    expect(channels.map((c) => c.uniqueName).sort()).toEqual(['chat', 'default', 'email', 'sms', 'video', 'voice']);
    const voice = await ws().taskChannels('voice').fetch();
    expect(voice.friendlyName).toBe('Voice');
    expect(voice.sid).toMatch(/^TC[0-9a-f]{32}$/);
    expect((await ws().taskChannels(voice.sid).fetch()).uniqueName).toBe('voice');

    const fetched = await ws().fetch();
    expect(fetched.sid).toBe(wsSid);
    const listed = await client.taskrouter.v1.workspaces.list({ friendlyName: 'Support' });
    expect(listed.map((w) => w.sid)).toEqual([wsSid]);
    expect(await client.taskrouter.v1.workspaces.list({ friendlyName: 'Nobody' })).toEqual([]);
  });

  test('activities: create, filter by Available and FriendlyName, update, delete', async () => {
    const busy = await ws().activities.create({ friendlyName: 'Busy', available: false });
    expect(busy.sid).toMatch(/^WA[0-9a-f]{32}$/);
    expect(busy.available).toBe(false);
    expect(busy.workspaceSid).toBe(wsSid);
    const available = await ws().activities.list({ available: 'true' });
    expect(available.map((a) => a.friendlyName)).toEqual(['Available']);
    expect((await ws().activities.list({ friendlyName: 'Busy' })).map((a) => a.sid)).toEqual([busy.sid]);
    const renamed = await ws().activities(busy.sid).update({ friendlyName: 'On a call' });
    expect(renamed.friendlyName).toBe('On a call');
    expect(await ws().activities(busy.sid).remove()).toBe(true);
    await expect(ws().activities(busy.sid).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
  });

  test('a queue of Spanish speakers and a workflow that sends Spanish tasks to it', async () => {
    const queue = await ws().taskQueues.create({ friendlyName: 'Spanish', targetWorkers: 'languages HAS "es"', maxReservedWorkers: 1, taskOrder: 'FIFO' });
    queueSid = queue.sid;
    expect(queue.sid).toMatch(/^WQ[0-9a-f]{32}$/);
    expect(queue.targetWorkers).toBe('languages HAS "es"');
    expect(queue.taskOrder).toBe('FIFO');
    expect(queue.maxReservedWorkers).toBe(1);
    expect(queue.reservationActivitySid).toBeNull();
    expect(queue.links.real_time_statistics).toBe(`${api.base}/v1/Workspaces/${wsSid}/TaskQueues/${queueSid}/RealTimeStatistics`);

    const configuration = JSON.stringify({
      task_routing: { filters: [{ filter_friendly_name: 'Spanish', expression: 'language == "es"', targets: [{ queue: queueSid }] }] },
    });
    const workflow = await ws().workflows.create({ friendlyName: 'Languages', configuration, taskReservationTimeout: 300 });
    workflowSid = workflow.sid;
    expect(workflow.sid).toMatch(/^WW[0-9a-f]{32}$/);
    expect(workflow.configuration).toBe(configuration);
    expect(workflow.taskReservationTimeout).toBe(300);
    expect(workflow.documentContentType).toBe('application/json');
    expect((await ws().workflows.list({ friendlyName: 'Languages' })).map((w) => w.sid)).toEqual([workflowSid]);
    expect((await ws().taskQueues.list({ friendlyName: 'Spanish' })).map((q) => q.sid)).toEqual([queueSid]);
  });

  test('two workers, alice (en) and bob (es), both Available; the list filters find bob', async () => {
    const a = await ws().workers.create({ friendlyName: 'alice', attributes: JSON.stringify({ languages: ['en'] }) });
    expect(a.activityName).toBe('Offline');
    expect(a.available).toBe(false);
    const b = await ws().workers.create({ friendlyName: 'bob', attributes: JSON.stringify({ languages: ['es'] }), activitySid: activity.Available });
    alice = a.sid;
    bob = b.sid;
    expect(b.sid).toMatch(/^WK[0-9a-f]{32}$/);
    expect(b.attributes).toBe('{"languages":["es"]}');
    expect(b.available).toBe(true);
    expect(b.links.reservations).toBe(`${api.base}/v1/Workspaces/${wsSid}/Workers/${bob}/Reservations`);
    const updated = await ws().workers(alice).update({ activitySid: activity.Available });
    expect(updated.activityName).toBe('Available');
    expect(updated.available).toBe(true);

    const names = async (params: Parameters<ReturnType<typeof ws>['workers']['list']>[0]): Promise<string[]> => (await ws().workers.list(params)).map((w) => w.friendlyName).sort();
    expect(await names({})).toEqual(['alice', 'bob']);
    expect(await names({ targetWorkersExpression: 'languages HAS "es"' })).toEqual(['bob']);
    expect(await names({ taskQueueSid: queueSid })).toEqual(['bob']);
    expect(await names({ taskQueueName: 'Spanish' })).toEqual(['bob']);
    expect(await names({ available: 'true' })).toEqual(['alice', 'bob']);
    expect(await names({ activityName: 'Offline' })).toEqual([]);
    expect(await names({ activitySid: activity.Available, friendlyName: 'alice' })).toEqual(['alice']);
    expect((await ws().taskQueues.list({ workerSid: bob })).map((q) => q.sid)).toEqual([queueSid]);
    expect(await ws().taskQueues.list({ evaluateWorkerAttributes: '{"languages":["en"]}' })).toEqual([]);
  });

  test("a worker's channels: list, fetch by unique name or sid, update the capacity", async () => {
    const channels = await ws().workers(bob).workerChannels.list();
    expect(channels).toHaveLength(6);
    const chat = channels.find((c) => c.taskChannelUniqueName === 'chat');
    expect(chat).toMatchObject({ configuredCapacity: 1, assignedTasks: 0, available: true, availableCapacityPercentage: 100, workerSid: bob });
    expect(chat?.sid).toMatch(/^WC[0-9a-f]{32}$/);
    const bySid = await ws().workers(bob).workerChannels(chat?.sid ?? '').fetch();
    expect(bySid.taskChannelUniqueName).toBe('chat');
    const updated = await ws().workers(bob).workerChannels('chat').update({ capacity: 3 });
    expect(updated.configuredCapacity).toBe(3);
    expect(updated.sid).toBe(chat?.sid);
    await expect(ws().workers(bob).workerChannels('voice').update({ capacity: 2 })).rejects.toMatchObject({ status: 400 });
  });

  test('a Spanish task is reserved for bob; both reservation lists show it; accepting assigns the task', async () => {
    const task = await ws().tasks.create({ attributes: JSON.stringify({ language: 'es' }), workflowSid, priority: 5, timeout: 3600 });
    taskSid = task.sid;
    expect(task.sid).toMatch(/^WT[0-9a-f]{32}$/);
    expect(task.attributes).toBe('{"language":"es"}');
    expect(task.priority).toBe(5);
    expect(task.timeout).toBe(3600);
    expect(task.taskChannelUniqueName).toBe('default');
    expect(task.workflowFriendlyName).toBe('Languages');
    expect(task.taskQueueSid).toBe(queueSid);
    expect(task.taskQueueFriendlyName).toBe('Spanish');

    // The assignment runs on the next turn of the event loop.
    const reservation = await waitFor('the reservation of the task', async () => (await ws().tasks(taskSid).reservations.list())[0]);
    reservationSid = reservation.sid;
    expect(reservation.sid).toMatch(/^WR[0-9a-f]{32}$/);
    expect(reservation).toMatchObject({ workerSid: bob, workerName: 'bob', taskSid, reservationStatus: 'pending', workspaceSid: wsSid });
    expect((await ws().tasks(taskSid).fetch()).assignmentStatus).toBe('reserved');

    const bobs = await ws().workers(bob).reservations.list();
    expect(bobs.map((r) => r.sid)).toEqual([reservationSid]);
    expect(bobs[0]?.url).toBe(`${api.base}/v1/Workspaces/${wsSid}/Workers/${bob}/Reservations/${reservationSid}`);
    expect(await ws().workers(alice).reservations.list()).toEqual([]);
    expect((await ws().workers(bob).reservations.list({ reservationStatus: 'accepted' })).length).toBe(0);
    expect((await ws().workers(bob).reservations(reservationSid).fetch()).reservationStatus).toBe('pending');

    const accepted = await ws().tasks(taskSid).reservations(reservationSid).update({ reservationStatus: 'accepted' });
    expect(accepted.reservationStatus).toBe('accepted');
    const assigned = await ws().tasks(taskSid).fetch();
    expect(assigned.assignmentStatus).toBe('assigned');
    expect((await ws().tasks.list({ assignmentStatus: ['assigned'] })).map((t) => t.sid)).toEqual([taskSid]);
  });

  test('a second Spanish task waits while bob is busy; real-time statistics show it', async () => {
    const second = await ws().tasks.create({ attributes: JSON.stringify({ language: 'es' }), workflowSid });
    secondTask = second.sid;
    const queueNow = await ws().taskQueues(queueSid).realTimeStatistics().fetch();
    expect(queueNow.tasksByStatus).toEqual({ pending: 1, reserved: 0, assigned: 1, wrapping: 0 });
    expect(queueNow.totalTasks).toBe(2);
    expect(queueNow.longestTaskWaitingSid).toBe(secondTask);
    expect(queueNow.longestRelativeTaskSidInQueue).toBe(secondTask);
    expect(queueNow.totalEligibleWorkers).toBe(1);
    expect(queueNow.totalAvailableWorkers).toBe(1);
    expect(queueNow.activityStatistics).toContainEqual({ friendly_name: 'Available', sid: activity.Available, workers: 1 });

    const workspaceNow = await ws().realTimeStatistics().fetch();
    expect(workspaceNow.totalWorkers).toBe(2);
    expect(workspaceNow.totalTasks).toBe(2);
    expect(workspaceNow.tasksByPriority).toEqual({ '0': 1, '5': 1 });
    expect(workspaceNow.activityStatistics).toContainEqual({ friendly_name: 'Available', sid: activity.Available, workers: 2 });
    const pending = await ws().tasks.list({ assignmentStatus: ['pending', 'reserved'] });
    expect(pending.map((t) => t.sid)).toEqual([secondTask]);
    expect((await ws().tasks.list({ evaluateTaskAttributes: 'language == "es"' })).map((t) => t.sid).sort()).toEqual([taskSid, secondTask].sort());
    expect((await ws().tasks.list({ taskQueueSid: queueSid, workflowName: 'Languages' })).length).toBe(2);
  });

  test('completing the task frees bob; he rejects the next one and goes Unavailable; it is canceled', async () => {
    const done = await ws().tasks(taskSid).update({ assignmentStatus: 'completed', reason: 'resolved' });
    expect(done.assignmentStatus).toBe('completed');
    expect(done.reason).toBe('resolved');
    expect((await ws().tasks(taskSid).reservations(reservationSid).fetch()).reservationStatus).toBe('completed');

    const next = await waitFor('the reservation of the second task', async () => (await ws().workers(bob).reservations.list({ reservationStatus: 'pending' }))[0]);
    expect(next.taskSid).toBe(secondTask);
    const rejected = await ws().workers(bob).reservations(next.sid).update({ reservationStatus: 'rejected', workerActivitySid: activity.Unavailable });
    expect(rejected.reservationStatus).toBe('rejected');
    expect((await ws().workers(bob).fetch()).activityName).toBe('Unavailable');
    expect((await ws().tasks(secondTask).fetch()).assignmentStatus).toBe('pending');
    const canceled = await ws().tasks(secondTask).update({ assignmentStatus: 'canceled', reason: 'caller hung up' });
    expect(canceled.assignmentStatus).toBe('canceled');
  });

  test('cumulative statistics count what happened in the last 15 minutes', async () => {
    const stats = await ws().statistics().fetch();
    const cumulative = stats.cumulative as Record<string, unknown>;
    expect(cumulative).toMatchObject({
      tasks_created: 2,
      tasks_completed: 1,
      tasks_canceled: 1,
      tasks_deleted: 0,
      reservations_created: 2,
      reservations_accepted: 1,
      reservations_rejected: 1,
      reservations_timed_out: 0,
    });
    expect(cumulative.wait_duration_until_accepted).toMatchObject({ total: expect.any(Number), min: expect.any(Number) });
    const span = Date.parse(cumulative.end_time as string) - Date.parse(cumulative.start_time as string);
    expect(span).toBe(15 * 60_000);
    const realtime = stats.realtime as Record<string, unknown>;
    expect(realtime).toMatchObject({ total_tasks: 0, total_workers: 2, tasks_by_status: { pending: 0, reserved: 0, assigned: 0, wrapping: 0 } });
    expect(stats.url).toBe(`${api.base}/v1/Workspaces/${wsSid}/Statistics`);

    const workspaceCumulative = await ws().cumulativeStatistics().fetch({ minutes: 60 });
    expect(workspaceCumulative.tasksCreated).toBe(2);
    expect(workspaceCumulative.reservationsAccepted).toBe(1);
    expect(workspaceCumulative.endTime.getTime() - workspaceCumulative.startTime.getTime()).toBe(3_600_000);
    const earlier = await ws().cumulativeStatistics().fetch({ startDate: new Date(Date.now() - 7_200_000), endDate: new Date(Date.now() - 3_600_000) });
    expect(earlier.tasksCreated).toBe(0);

    const queue = await ws().taskQueues(queueSid).cumulativeStatistics().fetch({ splitByWaitTime: '3600' });
    expect(queue).toMatchObject({ tasksEntered: 2, reservationsAccepted: 1, reservationsRejected: 1, tasksCompleted: 1, tasksCanceled: 1 });
    expect(queue.splitByWaitTime).toEqual({ '3600': { above: { tasks_canceled: 0, reservations_accepted: 0 }, below: { tasks_canceled: 1, reservations_accepted: 1 } } });
    const queueBoth = await ws().taskQueues(queueSid).statistics().fetch();
    expect(queueBoth.realtime).toMatchObject({ total_tasks: 0, total_available_workers: 0, total_eligible_workers: 1 });
    expect(queueBoth.cumulative).toMatchObject({ reservations_created: 2 });
    const allQueues = await ws().taskQueues.statistics.list();
    expect(allQueues.map((q) => q.taskQueueSid)).toEqual([queueSid]);

    const workflow = await ws().workflows(workflowSid).cumulativeStatistics().fetch();
    expect(workflow).toMatchObject({ tasksEntered: 2, reservationsAccepted: 1 });

    const bobStats = await ws().workers(bob).statistics().fetch();
    const bobCumulative = bobStats.cumulative as Record<string, unknown>;
    expect(bobCumulative).toMatchObject({ reservations_created: 2, reservations_accepted: 1, reservations_rejected: 1 });
    const durations = bobCumulative.activity_durations as { friendly_name: string; total: number }[];
    expect(durations.map((d) => d.friendly_name).sort()).toEqual(['Available', 'Offline', 'Unavailable']);
    expect((await ws().workers(alice).statistics().fetch()).cumulative).toMatchObject({ reservations_created: 0 });

    const workers = await ws().workers.statistics().fetch();
    expect(workers.realtime).toMatchObject({ total_workers: 2 });
    expect((workers.realtime as { activity_statistics: unknown[] }).activity_statistics).toContainEqual({ friendly_name: 'Unavailable', sid: activity.Unavailable, workers: 1 });
    expect((await ws().workers.realTimeStatistics().fetch()).totalWorkers).toBe(2);
    expect((await ws().workers.cumulativeStatistics().fetch()).reservationsAccepted).toBe(1);
  });

  test('the events list shows the task made, reserved and accepted', async () => {
    const events = await ws().events.list({ taskSid });
    const types = events.map((e) => e.eventType);
    for (const t of ['task.created', 'reservation.created', 'reservation.accepted', 'task.completed']) expect(types).toContain(t);
    const accepted = await ws().events.list({ eventType: 'reservation.accepted' });
    expect(accepted).toHaveLength(1);
    const e = accepted[0];
    expect(e?.sid).toMatch(/^EV[0-9a-f]{32}$/);
    expect(e?.resourceSid).toBe(reservationSid);
    expect(e?.resourceType).toBe('reservation');
    expect(e?.eventData).toMatchObject({ task_sid: taskSid, worker_sid: bob, reservation_sid: reservationSid, workspace_sid: wsSid });
    expect(e?.eventDate).toBeInstanceOf(Date);
    expect(typeof e?.eventDateMs).toBe('number');
    const fetched = await ws().events(e?.sid ?? '').fetch();
    expect(fetched.eventType).toBe('reservation.accepted');
    expect((await ws().events.list({ workerSid: bob, eventType: 'reservation.created' })).length).toBe(2);
    expect(await ws().events.list({ startDate: new Date(Date.now() - 7_200_000), endDate: new Date(Date.now() - 3_600_000) })).toEqual([]);
  });

  test('bad requests: Twilio error JSON naming what is wrong', async () => {
    const expression = ws().taskQueues.create({ friendlyName: 'Broken', targetWorkers: 'languages HAS' });
    await expect(expression).rejects.toMatchObject({ status: 400, code: 20001 });
    await expect(expression).rejects.toThrow(/TargetWorkers.*character \d+/);

    const configuration = ws().workflows.create({ friendlyName: 'Broken', configuration: '{"task_routing": ' });
    await expect(configuration).rejects.toMatchObject({ status: 400 });
    await expect(configuration).rejects.toThrow(/Configuration is not JSON/);

    await expect(ws().workers.list({ targetWorkersExpression: 'languages HAS (' })).rejects.toThrow(/TargetWorkersExpression/);
    await expect(ws().tasks.create({ attributes: '[1,2]', workflowSid })).rejects.toThrow(/Attributes must be a JSON object/);
    await expect(ws().tasks.create({ workflowSid, priority: -1 })).rejects.toThrow(/Priority/);

    const badBool = await api.request(`/v1/Workspaces/${wsSid}/Activities?Available=maybe`);
    expect(badBool.status).toBe(400);
    expect(await badBool.json()).toMatchObject({ code: 20001, status: 400, message: 'Available must be true or false', more_info: 'https://www.twilio.com/docs/errors/20001' });
    expect((await api.request(`/v1/Workspaces/${wsSid}/Activities?Available=TRUE`)).status).toBe(200);

    await expect(ws().workers(NO_SUCH('WK')).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    await expect(ws().tasks(NO_SUCH('WT')).reservations.list()).rejects.toMatchObject({ status: 404 });
    await expect(ws().tasks(taskSid).reservations(NO_SUCH('WR')).fetch()).rejects.toMatchObject({ status: 404 });
    await expect(client.taskrouter.v1.workspaces(NO_SUCH('WS')).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });

    const other = twilioClientFor(api.base, OTHER_ACCOUNT, OTHER_AUTH_TOKEN).client;
    await expect(other.taskrouter.v1.workspaces(wsSid).fetch()).rejects.toMatchObject({ status: 404 });
    await expect(other.taskrouter.v1.workspaces(wsSid).workers.list()).rejects.toMatchObject({ status: 404 });
    expect(await other.taskrouter.v1.workspaces.list()).toEqual([]);
    const wrongToken = await api.request('/v1/Workspaces', { headers: { authorization: basicAuth(ACCOUNT, 'not-the-token') } });
    expect(wrongToken.status).toBe(401);

    const put = await api.request(`/v1/Workspaces/${wsSid}/Workers`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST, HEAD');
    await expect(ws().tasks(taskSid).update({ assignmentStatus: 'pending' })).rejects.toMatchObject({ status: 400 });
  });

  test('a reservation updated with an Instruction; then the accepted one wraps up and completes its task', async () => {
    await ws().workers(bob).update({ activitySid: activity.Available });
    const task = await ws().tasks.create({ attributes: JSON.stringify({ language: 'es' }), workflowSid });
    const r = await waitFor('the reservation of the third task', async () => (await ws().tasks(task.sid).reservations.list({ reservationStatus: 'pending' }))[0]);
    // No call to dequeue: refused, and the reservation is still there to be answered.
    await expect(ws().tasks(task.sid).reservations(r.sid).update({ instruction: 'dequeue', dequeueTo: 'sip:bob@pbx.example.com' })).rejects.toMatchObject({ status: 400 });
    const accepted = await ws().workers(bob).reservations(r.sid).update({ instruction: 'accept' });
    expect(accepted.reservationStatus).toBe('accepted');
    expect((await ws().tasks(task.sid).fetch()).assignmentStatus).toBe('assigned');
    await ws().tasks(task.sid).reservations(r.sid).update({ reservationStatus: 'wrapping' });
    expect((await ws().tasks(task.sid).fetch()).assignmentStatus).toBe('wrapping');
    const completed = await ws().tasks(task.sid).reservations(r.sid).update({ reservationStatus: 'completed' });
    expect(completed.reservationStatus).toBe('completed');
    expect((await ws().tasks(task.sid).fetch()).assignmentStatus).toBe('completed');
    expect(await ws().tasks(task.sid).remove()).toBe(true);
    await expect(ws().tasks(task.sid).fetch()).rejects.toMatchObject({ status: 404 });
  });

  test('absolute URLs use the public URL when it is set, else the Host header', () => {
    const req = (host?: string): FastifyRequest => ({ headers: host === undefined ? {} : { host } }) as FastifyRequest;
    expect(publicBase('https://api.example.com/', req('127.0.0.1:9'))).toBe('https://api.example.com');
    expect(publicBase(undefined, req('dialtone.example.com:8088'))).toBe('http://dialtone.example.com:8088');
    expect(publicBase(undefined, req('evil"/host'))).toBe('http://localhost');
    expect(publicBase(undefined, req())).toBe('http://localhost');
  });

  test('60 tasks page 25 at a time: the library follows next_page_url and sees each once, newest first', async () => {
    const second = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Paging' });
    const pws = client.taskrouter.v1.workspaces(second.sid);
    const queue = await pws.taskQueues.create({ friendlyName: 'Nobody', targetWorkers: '1 == 2' });
    const workflow = await pws.workflows.create({ friendlyName: 'All', configuration: JSON.stringify({ task_routing: { default_filter: { queue: queue.sid } } }) });
    const made: string[] = [];
    for (let i = 0; i < 60; i++) made.push((await pws.tasks.create({ workflowSid: workflow.sid, attributes: JSON.stringify({ n: i }) })).sid);

    const before = http.requested.length;
    const listed = await pws.tasks.list({ pageSize: 25 });
    expect(listed).toHaveLength(60);
    expect(new Set(listed.map((t) => t.sid))).toEqual(new Set(made));
    const pages = http.requested.slice(before);
    expect(pages).toHaveLength(3);
    expect(pages[1]?.uri).toMatch(new RegExp(`^${api.base}/v1/Workspaces/${second.sid}/Tasks\\?PageSize=25&Page=1&PageToken=`));
    const created = listed.map((t) => t.dateCreated.getTime());
    expect([...created].sort((a, b) => b - a)).toEqual(created);

    const page = await pws.tasks.page({ pageSize: 25 });
    expect(page.instances).toHaveLength(25);
    const next = await page.nextPage();
    expect(next?.instances).toHaveLength(25);
    const last = await next?.nextPage();
    expect(last?.instances).toHaveLength(10);
    expect(last?.nextPageUrl).toBeUndefined();

    const seen: string[] = [];
    await pws.tasks.each({ pageSize: 25, assignmentStatus: ['pending'] }, (t) => void seen.push(t.sid));
    expect(seen).toHaveLength(60);
    expect(await pws.tasks.list({ assignmentStatus: ['completed'], pageSize: 25 })).toEqual([]);

    expect(await pws.remove()).toBe(true);
    await expect(pws.fetch()).rejects.toMatchObject({ status: 404 });
  });
  test('a Workflow updated with ReEvaluateTasks routes its waiting tasks again; without it they stay where they are', async () => {
    const rws = client.taskrouter.v1.workspaces((await client.taskrouter.v1.workspaces.create({ friendlyName: 'Re-evaluate' })).sid);
    const available = (await rws.activities.list({ friendlyName: 'Available' }))[0]?.sid as string;
    const nobody = await rws.taskQueues.create({ friendlyName: 'Nobody', targetWorkers: 'skills HAS "juggling"' });
    const billing = await rws.taskQueues.create({ friendlyName: 'Billing', targetWorkers: 'skills HAS "billing"' });
    const toQueue = (q: string): string => JSON.stringify({ task_routing: { filters: [], default_filter: { queue: q } } });
    const wf = await rws.workflows.create({ friendlyName: 'Route', configuration: toQueue(nobody.sid) });
    const worker = await rws.workers.create({ friendlyName: 'erin', attributes: JSON.stringify({ skills: ['billing'] }), activitySid: available });
    const task = await rws.tasks.create({ workflowSid: wf.sid, attributes: '{}' });
    expect((await rws.tasks(task.sid).fetch()).taskQueueSid).toBe(nobody.sid);

    // A new configuration alone: the waiting task keeps its queue.
    await rws.workflows(wf.sid).update({ configuration: toQueue(billing.sid) });
    const kept = await rws.tasks(task.sid).fetch();
    expect([kept.taskQueueSid, kept.assignmentStatus]).toEqual([nobody.sid, 'pending']);

    // ReEvaluateTasks: it goes through the new one, to Billing, and is reserved to erin.
    await rws.workflows(wf.sid).update({ configuration: toQueue(billing.sid), reEvaluateTasks: 'true' });
    const routed = await waitFor('the task reserved', async () => {
      const t = await rws.tasks(task.sid).fetch();
      return t.assignmentStatus === 'reserved' ? t : undefined;
    });
    expect(routed.taskQueueSid).toBe(billing.sid);
    expect((await rws.tasks(task.sid).reservations.list()).map((r) => r.workerSid)).toEqual([worker.sid]);
    await rws.remove().catch(() => undefined);
  });
});
