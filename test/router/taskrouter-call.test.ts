/**
 * A call routed by TaskRouter, driven as a contact-center app would: the
 * workspace, queues, workflow and workers made through the twilio library,
 * a SIPp caller enqueued with <Enqueue workflowSid><Task>, the assignment
 * callback answering dequeue, and the Spanish-speaking worker's phone (a
 * SIPp UAS at its contact_uri) rung and bridged to the caller: each hears
 * the other's tone. The reservation is accepted when the worker answers;
 * when the call ends the task is wrapping up.
 */
import { describe, it } from 'vitest';
import { describeSipp } from '../support/sipp.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { respond, twiml } from './helpers/app-server.js';
import { CallerMedia } from './helpers/caller-media.js';
import { startCallee, tonePackets } from './helpers/dial-callee.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter } from './helpers/router-harness.js';

describe('TaskRouter with calls', () => {
  it('Enqueue workflowSid: the Spanish task is reserved to bob, the callback answers dequeue, bob is rung and bridged to the caller', { timeout: 60_000 }, async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'support', voice: '/support' }] });
    onTestFinished(() => h.stop());
    const { client } = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN);
    const tr = client.taskrouter.v1;

    const bobPhone = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'callee', hangupAfterMs: 5000, timeoutSeconds: 40 });
    onTestFinished(() => bobPhone.media.close());

    const ws = await tr.workspaces.create({ friendlyName: 'Contact center' });
    const activities = await tr.workspaces(ws.sid).activities.list();
    const available = activities.find((a) => a.friendlyName === 'Available');
    expect(available?.available).toBe(true);
    const spanish = await tr.workspaces(ws.sid).taskQueues.create({ friendlyName: 'Spanish', targetWorkers: 'languages HAS "es"' });
    const english = await tr.workspaces(ws.sid).taskQueues.create({ friendlyName: 'English', targetWorkers: 'languages HAS "en"' });
    const configuration = JSON.stringify({
      task_routing: {
        filters: [
          { filter_friendly_name: 'Spanish', expression: 'language == "es"', targets: [{ queue: spanish.sid }] },
          { filter_friendly_name: 'English', expression: 'language == "en"', targets: [{ queue: english.sid }] },
        ],
        default_filter: { queue: english.sid },
      },
    });
    const workflow = await tr.workspaces(ws.sid).workflows.create({ friendlyName: 'By language', configuration, assignmentCallbackUrl: h.app.url('/assign') });
    await tr.workspaces(ws.sid).workers.create({ friendlyName: 'alice', attributes: JSON.stringify({ languages: ['en'], contact_uri: 'sip:alice@127.0.0.1:9' }), activitySid: available?.sid });
    const bob = await tr.workspaces(ws.sid).workers.create({ friendlyName: 'bob', attributes: JSON.stringify({ languages: ['es'], contact_uri: bobPhone.uri }), activitySid: available?.sid });

    h.app.on('/support', respond(`<Say>Please hold.</Say><Enqueue workflowSid="${workflow.sid}" action="/after"><Task priority="5">{"language":"es","customer":"Ana"}</Task></Enqueue>`));
    h.app.on('/assign', twiml(JSON.stringify({ instruction: 'dequeue', from: '+15550001111' }), 'application/json'));
    h.app.on('/after', respond('<Hangup/>'));

    const callerMedia = await CallerMedia.open();
    onTestFinished(() => callerMedia.close());
    const caller = await h.call({ scenario: 'answered', user: 'support', media: callerMedia, timeoutSeconds: 40 });

    const assign = await h.app.waitFor((r) => r.pathname === '/assign', 10_000, 'the assignment callback');
    const callSid = h.app.to('/support')[0]?.params.CallSid;
    expect(assign.params).toMatchObject({ AccountSid: ACCOUNT_SID, WorkspaceSid: ws.sid, WorkflowSid: workflow.sid, TaskQueueSid: spanish.sid, WorkerSid: bob.sid, TaskPriority: '5' });
    expect(assign.params.ReservationSid).toMatch(/^WR[0-9a-f]{32}$/);
    expect(JSON.parse(assign.params.TaskAttributes ?? '{}')).toMatchObject({ language: 'es', customer: 'Ana', call_sid: callSid, account_sid: ACCOUNT_SID });
    const taskSid = assign.params.TaskSid as string;

    // bob answers: caller and bob hear each other.
    await callerMedia.peer.waitFor(() => callerMedia.packets.length > 0, 10_000, 'audio at the caller');
    await h.app.waitFor((r) => r.pathname === '/assign', 10_000, 'the assignment callback');
    await callerMedia.sendTone(1000, 800);
    await bobPhone.media.peer.waitFor(() => tonePackets(bobPhone.media.packets, 1000).length >= 20, 10_000, '1 kHz at bob');
    await bobPhone.media.sendTone(2000, 800);
    await callerMedia.peer.waitFor(() => tonePackets(callerMedia.packets, 2000).length >= 20, 5000, '2 kHz at the caller');

    const reservation = await tr.workspaces(ws.sid).tasks(taskSid).reservations(assign.params.ReservationSid as string).fetch();
    expect(reservation.reservationStatus).toBe('accepted');
    expect(reservation.workerSid).toBe(bob.sid);

    // bob hangs up; on a loaded machine his SIPp may see a retransmitted INVITE, so only the caller's exit is checked.
    await bobPhone.sipp.done;
    const callerResult = await caller.done;
    expect(callerResult.exitCode, describeSipp(callerResult)).toBe(0);
    const after = await h.app.waitFor((r) => r.pathname === '/after', 10_000, 'the Enqueue action');
    expect(after.params.QueueResult).toBe('bridged');
    const deadline = Date.now() + 5000;
    let task = await tr.workspaces(ws.sid).tasks(taskSid).fetch();
    while (task.assignmentStatus !== 'wrapping' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      task = await tr.workspaces(ws.sid).tasks(taskSid).fetch();
    }
    expect(task.assignmentStatus).toBe('wrapping');
  });
});
