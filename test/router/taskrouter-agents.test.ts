/**
 * A contact center on TaskRouter with two agents on real softphones:
 * alice (English) and bob (Spanish) run baresip, registered to the engine
 * as client:alice and client:bob. The app makes its workspace through the
 * twilio library; a SIPp caller is enqueued with <Enqueue workflowSid>.
 *
 * 1. A Spanish call: the workflow routes it to the Spanish queue, bob is
 *    reserved, the app answers dequeue, bob's phone rings (SIP from the
 *    dequeue's `from`) and answers; caller and bob hear each other. The
 *    reservation is accepted, the task assigned; when bob hangs up the task
 *    wraps up, bob moves to the post-work activity, and the app completes it.
 * 2. Nobody answers alice's reservation: the app's assignment callback says
 *    nothing, the reservation times out after the workflow's
 *    TaskReservationTimeout, alice moves to the workspace's
 *    TimeoutActivitySid, and the task is reserved to bob, who takes the call.
 * 3. alice's phone rings (the app answers dequeue with a 3 s timeout) and
 *    nobody picks up: the engine stops ringing it, her reservation is
 *    rejected (the engine's rule for an unanswered dequeue call, see
 *    engine/taskrouter/reservation-instructions.ts; she keeps her
 *    activity), and bob is reserved and takes it.
 * 4. alice's phone still rings when her reservation times out: the engine
 *    cancels her call (CANCEL; the call is canceled), she moves to the
 *    TimeoutActivity, and bob takes the call.
 * Needs the Debian package baresip (scripts/setup.sh).
 */
import { describe, it, type ExpectStatic, type TestContext } from 'vitest';
import { describeSipp, type SippProcess } from '../support/sipp.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { httpStatus, respond, twiml, type AppRequest } from './helpers/app-server.js';
import { BARESIP_INSTALLED, type Baresip } from './helpers/baresip.js';
import { CallerMedia } from './helpers/caller-media.js';
import { INCOMING, pollUntil, startAgents, toneFrames } from './helpers/contact-center.js';
import { tonePackets } from './helpers/dial-callee.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter, type RouterHarness } from './helpers/router-harness.js';

type TaskRouterClient = ReturnType<typeof twilioClientFor>['client']['taskrouter']['v1'];

const ALICE = { name: 'alice', password: 'alice-softphone-1', toneHz: 1300 };
const BOB = { name: 'bob', password: 'bob-softphone-1', toneHz: 1700 };
const CALLER_TONE = 1000;
const CENTER_NUMBER = '+15550002222';

/** The engine with the support line and the two agents' SIP users; the app's TaskRouter client. */
async function contactCenter(ctx: TestContext, agents: { aliceAnswers: boolean }) {
  const h = await startRouter({
    applications: [{ id: 'support', voice: '/support' }],
    users: [
      { username: ALICE.name, password: ALICE.password },
      { username: BOB.name, password: BOB.password },
    ],
  });
  ctx.onTestFinished(() => h.stop());
  const phones = await startAgents(h, ctx, [
    { ...ALICE, autoAnswer: agents.aliceAnswers },
    { ...BOB, autoAnswer: true },
  ]);
  const tr = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN).client.taskrouter.v1;
  return { h, tr, alicePhone: phones.alice!.phone, bobPhone: phones.bob!.phone };
}

/**
 * A workspace where alice and bob can both take a task (the Everyone
 * queue), alice the only one Available at first, TimeoutActivitySid an
 * unavailable "Missed a task".
 */
async function aliceFirst(h: RouterHarness, tr: TaskRouterClient, opts: { reservationTimeout: number }) {
  const ws = await tr.workspaces.create({ friendlyName: 'Contact center' });
  const w = tr.workspaces(ws.sid);
  const activities = await w.activities.list();
  const available = activities.find((a) => a.friendlyName === 'Available')!;
  const offline = activities.find((a) => a.friendlyName === 'Offline')!;
  const missed = await w.activities.create({ friendlyName: 'Missed a task', available: false });
  await w.update({ timeoutActivitySid: missed.sid });
  const everyone = await w.taskQueues.create({ friendlyName: 'Everyone', targetWorkers: 'languages HAS "en" OR languages HAS "es"' });
  const configuration = JSON.stringify({ task_routing: { filters: [], default_filter: { queue: everyone.sid } } });
  const workflow = await w.workflows.create({ friendlyName: 'Anyone', configuration, assignmentCallbackUrl: h.app.url('/assign'), taskReservationTimeout: opts.reservationTimeout });
  const alice = await w.workers.create({ friendlyName: 'alice', attributes: JSON.stringify({ languages: ['en'], contact_uri: 'client:alice' }), activitySid: available.sid });
  const bob = await w.workers.create({ friendlyName: 'bob', attributes: JSON.stringify({ languages: ['es'], contact_uri: 'client:bob' }), activitySid: offline.sid });
  return { w, workflow, everyone, available, missed, alice, bob };
}

const isAssign = (r: AppRequest): boolean => r.pathname === '/assign';

describe.skipIf(!BARESIP_INSTALLED)('TaskRouter with agents on baresip softphones', () => {
  it('a Spanish call is reserved to bob, dequeued to his phone, bridged both ways, then wraps up and completes', { timeout: 90_000 }, async (ctx) => {
    const { expect, onTestFinished } = ctx;
    const { h, tr, alicePhone, bobPhone } = await contactCenter(ctx, { aliceAnswers: true });
    const ws = await tr.workspaces.create({ friendlyName: 'Contact center' });
    const w = tr.workspaces(ws.sid);
    const available = (await w.activities.list()).find((a) => a.friendlyName === 'Available')!;
    const wrapUp = await w.activities.create({ friendlyName: 'Wrap-up', available: false });
    const spanish = await w.taskQueues.create({ friendlyName: 'Spanish', targetWorkers: 'languages HAS "es"' });
    const english = await w.taskQueues.create({ friendlyName: 'English', targetWorkers: 'languages HAS "en"' });
    const configuration = JSON.stringify({
      task_routing: {
        filters: [
          { filter_friendly_name: 'Spanish', expression: 'task.language == "es"', targets: [{ queue: spanish.sid }] },
          { filter_friendly_name: 'English', expression: 'task.language == "en"', targets: [{ queue: english.sid }] },
        ],
        default_filter: { queue: english.sid },
      },
    });
    const workflow = await w.workflows.create({ friendlyName: 'By language', configuration, assignmentCallbackUrl: h.app.url('/assign') });
    const alice = await w.workers.create({ friendlyName: 'alice', attributes: JSON.stringify({ languages: ['en'], contact_uri: 'client:alice' }), activitySid: available.sid });
    const bob = await w.workers.create({ friendlyName: 'bob', attributes: JSON.stringify({ languages: ['es'], contact_uri: 'client:bob' }), activitySid: available.sid });

    h.app.on('/support', respond(`<Enqueue workflowSid="${workflow.sid}" action="/after"><Task>{"language":"es","customer":"Ana"}</Task></Enqueue>`));
    h.app.on('/assign', twiml(JSON.stringify({ instruction: 'dequeue', from: CENTER_NUMBER, post_work_activity_sid: wrapUp.sid }), 'application/json'));
    h.app.on('/after', respond('<Hangup/>'));

    const callerMedia = await CallerMedia.open();
    onTestFinished(() => callerMedia.close());
    const caller = await h.call({ scenario: 'answered', user: 'support', media: callerMedia, timeoutSeconds: 60 });

    // The assignment callback: bob, of the Spanish queue, for the caller's task.
    const assign = await h.app.waitFor(isAssign, 15_000, 'the assignment callback');
    const callSid = h.app.to('/support')[0]?.params.CallSid;
    expect(assign.params).toMatchObject({ AccountSid: ACCOUNT_SID, WorkspaceSid: ws.sid, WorkflowSid: workflow.sid, TaskQueueSid: spanish.sid, WorkerSid: bob.sid });
    expect(JSON.parse(assign.params.TaskAttributes ?? '{}')).toMatchObject({ language: 'es', customer: 'Ana', call_sid: callSid });
    const taskSid = assign.params.TaskSid as string;
    const reservationSid = assign.params.ReservationSid as string;

    // bob's phone rings with the center's number and answers at once: he and the caller hear each other.
    await bobPhone.waitForOutput(INCOMING, 15_000);
    expect(bobPhone.log).toMatch(new RegExp(`answering call on line \\d+ from sip:\\${CENTER_NUMBER}@`));
    await pollUntil('the reservation accepted', () => w.tasks(taskSid).reservations(reservationSid).fetch(), (r) => r.reservationStatus === 'accepted', 15_000);
    await callerMedia.peer.waitFor(() => tonePackets(callerMedia.packets, BOB.toneHz).length >= 25, 15_000, "bob's voice (his tone) at the caller");
    await callerMedia.sendTone(CALLER_TONE, 1500);
    const assigned = await w.tasks(taskSid).fetch();
    expect(assigned).toMatchObject({ assignmentStatus: 'assigned', taskQueueSid: spanish.sid });
    expect((await w.tasks(taskSid).reservations.list()).map((r) => [r.workerSid, r.reservationStatus])).toEqual([[bob.sid, 'accepted']]);
    // alice was never rung.
    expect(alicePhone.log).not.toMatch(INCOMING);
    expect((await w.workers(alice.sid).fetch()).activitySid).toBe(available.sid);

    // bob hangs up: the caller's Enqueue action says bridged, and it hangs up the caller.
    await bobPhone.command('hangup');
    const after = await h.app.waitFor((r) => r.pathname === '/after', 15_000, 'the Enqueue action');
    expect(after.params).toMatchObject({ CallSid: callSid, QueueResult: 'bridged' });
    const callerDone = await caller.done;
    expect(callerDone.exitCode, describeSipp(callerDone)).toBe(0);
    // What bob heard: the caller's tone.
    expect(toneFrames(await bobPhone.heard(10_000), CALLER_TONE), bobPhone.log).toBeGreaterThanOrEqual(25);

    // The task wraps up, bob is in the post-work activity; the app completes the task.
    const wrapping = await pollUntil('the task wrapping up', () => w.tasks(taskSid).fetch(), (t) => t.assignmentStatus === 'wrapping');
    expect(wrapping.assignmentStatus).toBe('wrapping');
    const bobAfter = await pollUntil("bob's post-work activity", () => w.workers(bob.sid).fetch(), (x) => x.activitySid === wrapUp.sid);
    expect(bobAfter).toMatchObject({ activityName: 'Wrap-up', available: false });
    const completed = await w.tasks(taskSid).update({ assignmentStatus: 'completed', reason: 'call handled' });
    expect(completed).toMatchObject({ assignmentStatus: 'completed', reason: 'call handled' });
    expect((await w.tasks(taskSid).reservations(reservationSid).fetch()).reservationStatus).toBe('completed');
    expect(h.app.to('/assign')).toHaveLength(1);
  });

  it("alice's reservation is not answered: it times out, alice goes to the TimeoutActivity, and bob is reserved and takes the call", { timeout: 90_000 }, async (ctx) => {
    const { expect, onTestFinished } = ctx;
    const { h, tr, alicePhone, bobPhone } = await contactCenter(ctx, { aliceAnswers: false });
    const { w, workflow, everyone, available, missed, alice, bob } = await aliceFirst(h, tr, { reservationTimeout: 3 });
    // alice is the only one available when the call comes: the task is hers first.
    h.app.on('/support', respond(`<Enqueue workflowSid="${workflow.sid}" action="/after"><Task>{"language":"en"}</Task></Enqueue>`));
    // The app leaves alice's reservation to her desk (which she is away from): an empty 200, no instruction.
    h.app.on('/assign', (r) => (r.params.WorkerSid === bob.sid ? twiml(JSON.stringify({ instruction: 'dequeue', from: CENTER_NUMBER }), 'application/json') : httpStatus(200)));
    h.app.on('/after', respond('<Hangup/>'));

    const callerMedia = await CallerMedia.open();
    onTestFinished(() => callerMedia.close());
    const caller = await h.call({ scenario: 'answered', user: 'support', media: callerMedia, timeoutSeconds: 60 });
    const first = await h.app.waitFor(isAssign, 15_000, "alice's assignment callback");
    expect(first.params).toMatchObject({ WorkerSid: alice.sid, TaskQueueSid: everyone.sid, WorkflowSid: workflow.sid });
    const taskSid = first.params.TaskSid as string;
    const aliceReservation = first.params.ReservationSid as string;
    expect((await w.tasks(taskSid).reservations(aliceReservation).fetch()).reservationStatus).toBe('pending');

    // bob logs in while alice's reservation is pending: the task stays hers until it times out.
    await w.workers(bob.sid).update({ activitySid: available.sid });
    const second = await h.app.waitFor((r) => isAssign(r) && r.params.WorkerSid === bob.sid, 20_000, "bob's assignment callback");
    expect(second.params.TaskSid).toBe(taskSid);
    // The reservation lasted the workflow's TaskReservationTimeout (3 s), less how late the first callback came on a loaded machine.
    expect(second.at - first.at).toBeGreaterThanOrEqual(2000);
    const timedOut = await w.tasks(taskSid).reservations(aliceReservation).fetch();
    expect(timedOut).toMatchObject({ reservationStatus: 'timeout', workerSid: alice.sid });
    const aliceNow = await w.workers(alice.sid).fetch();
    expect(aliceNow).toMatchObject({ activitySid: missed.sid, activityName: 'Missed a task', available: false });
    await bobTakesTheCall(expect, { h, w, bobPhone, callerMedia, caller, taskSid, reservationSid: second.params.ReservationSid as string });
    expect(tonePackets(callerMedia.packets, ALICE.toneHz)).toHaveLength(0);
    expect(alicePhone.log).not.toMatch(INCOMING);
    const reservations = await w.tasks(taskSid).reservations.list();
    expect(Object.fromEntries(reservations.map((r) => [r.workerName, r.reservationStatus]))).toEqual({ alice: 'timeout', bob: 'completed' });
    expect(h.app.to('/assign').map((r) => r.params.WorkerSid)).toEqual([alice.sid, bob.sid]);
  });

  it("alice's phone rings and nobody picks up: after the dequeue's timeout her reservation is rejected and bob takes the call", { timeout: 90_000 }, async (ctx) => {
    const { expect } = ctx;
    // The reservation would last a minute: the phone's ring timeout (3 s) ends it first.
    const c = await aliceRingsThenBob(ctx, { reservationTimeout: 60, ringTimeout: 3 });
    const { h, w, available, alice, bob, first, second } = c;
    expect(c.alicePhone.log).toMatch(new RegExp(`Incoming call from: .*sip:\\${CENTER_NUMBER}@`));
    // The engine gave up ringing her (CANCEL: the call to client:alice is no-answer); she keeps her activity.
    const calls = await twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN).client.calls.list({ to: 'client:alice' });
    expect(calls.map((call) => call.status)).toEqual(['no-answer']);
    expect((await w.tasks(c.taskSid).reservations(first.params.ReservationSid as string).fetch()).reservationStatus).toBe('rejected');
    expect((await w.workers(alice.sid).fetch()).activitySid).toBe(available.sid);

    await bobTakesTheCall(expect, { ...c, reservationSid: second.params.ReservationSid as string });
    expect(tonePackets(c.callerMedia.packets, ALICE.toneHz)).toHaveLength(0);
    expect(h.app.to('/assign').map((r) => r.params.WorkerSid)).toEqual([alice.sid, bob.sid]);
  });

  it("alice's phone still rings when her reservation times out: the engine cancels her call, she goes to the TimeoutActivity, bob takes the call", { timeout: 90_000 }, async (ctx) => {
    const { expect } = ctx;
    // The phone would ring for a minute: the reservation's 4 s end first.
    const c = await aliceRingsThenBob(ctx, { reservationTimeout: 4, ringTimeout: 60 });
    const { h, w, missed, alice, first, second } = c;
    expect((await w.tasks(c.taskSid).reservations(first.params.ReservationSid as string).fetch()).reservationStatus).toBe('timeout');
    expect((await w.workers(alice.sid).fetch()).activitySid).toBe(missed.sid);
    // Her phone stopped ringing (CANCEL): her call ended canceled, not left ringing for a caller bob now has.
    const calls = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN).client.calls;
    const aliceCalls = await pollUntil('the call to alice ended', () => calls.list({ to: 'client:alice' }), (list) => list.length === 1 && list[0]?.status !== 'ringing' && list[0]?.status !== 'queued');
    expect(aliceCalls.map((call) => call.status)).toEqual(['canceled']);

    await bobTakesTheCall(expect, { ...c, reservationSid: second.params.ReservationSid as string });
    expect(tonePackets(c.callerMedia.packets, ALICE.toneHz)).toHaveLength(0);
  });
});

/**
 * bob's phone rings and answers; his reservation is accepted and the task
 * assigned; he and the caller hear each other; he hangs up: the caller's
 * Enqueue action says bridged, the task wraps up and the app completes it.
 */
async function bobTakesTheCall(
  expect: ExpectStatic,
  c: { h: RouterHarness; w: ReturnType<TaskRouterClient['workspaces']>; bobPhone: Baresip; callerMedia: CallerMedia; caller: SippProcess; taskSid: string; reservationSid: string },
): Promise<void> {
  await c.bobPhone.waitForOutput(INCOMING, 15_000);
  await pollUntil("bob's reservation accepted", () => c.w.tasks(c.taskSid).reservations(c.reservationSid).fetch(), (r) => r.reservationStatus === 'accepted', 15_000);
  expect((await c.w.tasks(c.taskSid).fetch()).assignmentStatus).toBe('assigned');
  await c.callerMedia.peer.waitFor(() => tonePackets(c.callerMedia.packets, BOB.toneHz).length >= 25, 15_000, "bob's tone at the caller");
  await c.callerMedia.sendTone(CALLER_TONE, 1500);
  await c.bobPhone.command('hangup');
  expect((await c.h.app.waitFor((r) => r.pathname === '/after', 15_000, 'the Enqueue action')).params.QueueResult).toBe('bridged');
  const callerDone = await c.caller.done;
  expect(callerDone.exitCode, describeSipp(callerDone)).toBe(0);
  expect(toneFrames(await c.bobPhone.heard(10_000), CALLER_TONE), c.bobPhone.log).toBeGreaterThanOrEqual(25);
  await pollUntil('the task wrapping up', () => c.w.tasks(c.taskSid).fetch(), (t) => t.assignmentStatus === 'wrapping');
  await c.w.tasks(c.taskSid).update({ assignmentStatus: 'completed' });
}

/**
 * alice (not answering) is the only one Available when an English caller
 * comes: her assignment callback answers dequeue with `ringTimeout`, her
 * phone rings; bob then becomes Available and, once her reservation has
 * ended, gets the task's second assignment callback.
 */
async function aliceRingsThenBob(ctx: TestContext, opts: { reservationTimeout: number; ringTimeout: number }) {
  const { expect, onTestFinished } = ctx;
  const { h, tr, alicePhone, bobPhone } = await contactCenter(ctx, { aliceAnswers: false });
  const desk = await aliceFirst(h, tr, { reservationTimeout: opts.reservationTimeout });
  const { w, workflow, available, alice, bob } = desk;
  h.app.on('/support', respond(`<Enqueue workflowSid="${workflow.sid}" action="/after"><Task>{"language":"en"}</Task></Enqueue>`));
  h.app.on('/assign', twiml(JSON.stringify({ instruction: 'dequeue', from: CENTER_NUMBER, timeout: opts.ringTimeout }), 'application/json'));
  h.app.on('/after', respond('<Hangup/>'));

  const callerMedia = await CallerMedia.open();
  onTestFinished(() => callerMedia.close());
  const caller = await h.call({ scenario: 'answered', user: 'support', media: callerMedia, timeoutSeconds: 60 });
  const first = await h.app.waitFor(isAssign, 15_000, "alice's assignment callback");
  expect(first.params.WorkerSid).toBe(alice.sid);
  const taskSid = first.params.TaskSid as string;
  // alice's softphone rings with the center's number; nobody answers it.
  await alicePhone.waitForOutput(INCOMING, 15_000);
  await w.workers(bob.sid).update({ activitySid: available.sid });
  const second = await h.app.waitFor((r) => isAssign(r) && r.params.WorkerSid === bob.sid, 20_000, "bob's assignment callback");
  expect(second.params.TaskSid).toBe(taskSid);
  return { ...desk, h, alicePhone, bobPhone, callerMedia, caller, first, second, taskSid };
}
