/**
 * Callers routed by TaskRouter on a cluster of two engines: engine A runs
 * the workspaces, and the SIP server hands new calls to A and B in turn, so
 * one caller waits on each. Each caller's <Enqueue workflowSid> makes its
 * task on A; the dequeue instruction has the caller's own engine call the
 * worker, whose <Dial><Queue reservationSid> finds the caller in that
 * engine's queue: both callers are bridged to a worker and hear each other.
 */
import { describe, it } from 'vitest';
import { describeSipp } from '../support/sipp.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { respond, twiml } from './helpers/app-server.js';
import { CallerMedia } from './helpers/caller-media.js';
import { startCallee, tonePackets, type Callee } from './helpers/dial-callee.js';
import { startTwoEngines } from './helpers/two-engines.js';
import { ACCOUNT_SID, AUTH_TOKEN } from './helpers/router-harness.js';

describe('TaskRouter with calls on two engines', () => {
  it('a caller on the engine that does not run TaskRouter is routed, called back and bridged like one on the engine that does', { timeout: 60_000 }, async ({ expect, onTestFinished }) => {
    const { a, b, records } = await startTwoEngines(onTestFinished, { applications: [{ id: 'support', voice: '/support' }], keyPrefix: 'cluster-tr-calls', leaseMs: 2000 });
    const tr = twilioClientFor(b.apiBase, ACCOUNT_SID, AUTH_TOKEN).client.taskrouter.v1;

    const phones: Callee[] = [];
    for (let i = 0; i < 2; i++) phones.push(await startCallee(a.sipp, 'router-uas-answer', { hangup: 'callee', hangupAfterMs: 5000, timeoutSeconds: 50 }));
    onTestFinished(async () => void (await Promise.all(phones.map((p) => p.media.close()))));

    const ws = await tr.workspaces.create({ friendlyName: 'Contact center' });
    const available = (await tr.workspaces(ws.sid).activities.list({ friendlyName: 'Available' }))[0]?.sid as string;
    const queue = await tr.workspaces(ws.sid).taskQueues.create({ friendlyName: 'Spanish', targetWorkers: 'languages HAS "es"' });
    const configuration = JSON.stringify({ task_routing: { filters: [], default_filter: { queue: queue.sid } } });
    const workflow = await tr.workspaces(ws.sid).workflows.create({ friendlyName: 'Spanish', configuration, assignmentCallbackUrl: a.app.url('/assign') });
    const phoneOf = new Map<string, Callee>();
    for (const [i, phone] of phones.entries()) {
      const w = await tr.workspaces(ws.sid).workers.create({ friendlyName: `agent-${i}`, attributes: JSON.stringify({ languages: ['es'], contact_uri: phone.uri }), activitySid: available });
      phoneOf.set(w.sid, phone);
    }

    a.app.on('/support', respond(`<Say>Please hold.</Say><Enqueue workflowSid="${workflow.sid}" action="/after"><Task>{"language":"es"}</Task></Enqueue>`));
    a.app.on('/assign', twiml(JSON.stringify({ instruction: 'dequeue', from: '+15550001111' }), 'application/json'));
    a.app.on('/after', respond('<Hangup/>'));

    const callers: { media: CallerMedia; done: Promise<{ exitCode: number | null }>; proc: Awaited<ReturnType<typeof a.call>> }[] = [];
    for (let i = 0; i < 2; i++) {
      const media = await CallerMedia.open();
      onTestFinished(() => media.close());
      const proc = await a.call({ scenario: 'answered', user: 'support', media, timeoutSeconds: 50 });
      callers.push({ media, done: proc.done, proc });
      await a.app.waitForCount('/assign', i + 1, 15_000);
    }

    const enqueued = a.app.to('/support').map((r) => r.params.CallSid as string);
    const engines = await Promise.all(enqueued.map(async (sid) => (await records.calls.get(sid))?.engineId));
    expect(new Set(engines), 'one caller on each engine').toEqual(new Set(['engine-a', 'engine-b']));

    for (const assign of a.app.to('/assign')) {
      const callSid = JSON.parse(assign.params.TaskAttributes ?? '{}').call_sid as string;
      const caller = callers[enqueued.indexOf(callSid)];
      const phone = phoneOf.get(assign.params.WorkerSid as string);
      expect(caller, `the caller of task ${assign.params.TaskSid}`).toBeDefined();
      expect(phone, `the phone of worker ${assign.params.WorkerSid}`).toBeDefined();
      const { media } = caller as (typeof callers)[number];
      const callee = phone as Callee;
      // The worker's phone answers and the two hear each other.
      const tone = 600 + 400 * enqueued.indexOf(callSid);
      await media.sendTone(tone, 800);
      await callee.media.peer.waitFor(() => tonePackets(callee.media.packets, tone).length >= 20, 15_000, `${tone} Hz at the worker's phone`);
      await callee.media.sendTone(2400, 800);
      await media.peer.waitFor(() => tonePackets(media.packets, 2400).length >= 20, 10_000, "2.4 kHz at the caller");
      const reservation = await tr.workspaces(ws.sid).tasks(assign.params.TaskSid as string).reservations(assign.params.ReservationSid as string).fetch();
      expect(reservation.reservationStatus).toBe('accepted');
      // The worker's call was placed by the caller's own engine.
      const workerCalls = (await records.calls.list(ACCOUNT_SID, { to: callee.uri }, { page: 0, pageSize: 10 })).items;
      expect(workerCalls.map((c) => c.engineId)).toEqual([engines[enqueued.indexOf(callSid)]]);
    }

    for (const c of callers) {
      const result = await c.proc.done;
      expect(result.exitCode, describeSipp(result)).toBe(0);
    }
    await a.app.waitForCount('/after', 2, 10_000);
    expect(a.app.to('/after').map((r) => r.params.QueueResult)).toEqual(['bridged', 'bridged']);
  });
});
