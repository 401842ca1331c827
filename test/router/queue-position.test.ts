/**
 * What a caller waiting in a plain queue is told as the line moves: three
 * SIPp callers <Enqueue waitUrl> into one queue, one after the other; the
 * wait document (a one-second pause, so it is requested again every
 * second) carries each one's QueuePosition and the CurrentQueueSize. An
 * agent's call takes the front caller with <Dial><Queue>, then the REST
 * API sends the next one to a document (Members/Front update with Url):
 * the last caller's wait requests show QueuePosition 3, then 2, then 1,
 * and CurrentQueueSize going down with it.
 */
import { pino } from 'pino';
import { describe, it } from 'vitest';
import { describeSipp, type SippProcess } from '../support/sipp.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { respond, type AppRequest } from './helpers/app-server.js';
import { CallerMedia } from './helpers/caller-media.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter } from './helpers/router-harness.js';

/** The values a parameter took in order, each run of repeats once: ['3','3','2'] -> ['3','2']. */
const runs = (reqs: readonly AppRequest[], param: string): string[] =>
  reqs.map((r) => r.params[param] ?? '').filter((v, i, all) => i === 0 || v !== all[i - 1]);

describe('queue position in the wait document', () => {
  it('three callers in one queue: the last one hears QueuePosition 3, 2, 1 as the front ones are taken', { timeout: 90_000 }, async ({ expect, onTestFinished }) => {
    // The engine's warnings (a wait document it could not fetch, ...), printed when the test fails.
    const warnings: string[] = [];
    const h = await startRouter({
      logger: pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) }),
      applications: [
        { id: 'support', voice: '/support' },
        { id: 'agent', voice: '/agent' },
      ],
    });
    onTestFinished(() => h.stop());
    // What the callers were told, when the test fails.
    onTestFinished(({ task }) => {
      if (task.result?.state !== 'fail') return;
      const told = h.app.to('/wait').map((r) => `${Math.round(r.at)} ${r.params.CallSid} QueuePosition=${r.params.QueuePosition} CurrentQueueSize=${r.params.CurrentQueueSize}`);
      console.log(`wait requests:\n${told.join('\n')}\nengine warnings:\n${warnings.join('')}`);
    });
    const { client } = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN);
    h.app.on('/support', respond('<Enqueue action="/queued" waitUrl="/wait">support</Enqueue>'));
    h.app.on('/wait', respond('<Pause length="1"/>'));
    h.app.on('/queued', respond('<Hangup/>'));
    h.app.on('/agent', respond('<Dial><Queue>support</Queue></Dial>'));
    h.app.on('/elsewhere', respond('<Hangup/>'));

    // The callers come one after the other: each is in the queue (its wait document asked) before the next calls.
    const callers: { sid: string; sipp: SippProcess }[] = [];
    for (let i = 0; i < 3; i++) {
      const media = await CallerMedia.open();
      onTestFinished(() => media.close());
      const sipp = await h.call({ scenario: 'answered', user: 'support', media, timeoutSeconds: 80 });
      const voice = await h.app.waitForCount('/support', i + 1, 15_000);
      const sid = voice[i]?.params.CallSid as string;
      await h.app.waitFor((r) => r.pathname === '/wait' && r.params.CallSid === sid, 15_000, `caller ${i + 1}'s wait document`);
      callers.push({ sid, sipp });
    }
    const [first, second, third] = callers as [(typeof callers)[0], (typeof callers)[0], (typeof callers)[0]];
    const waitsOf = (sid: string): AppRequest[] => h.app.to('/wait').filter((r) => r.params.CallSid === sid);
    const firstWait = (sid: string): Record<string, string> => waitsOf(sid)[0]?.params ?? {};
    expect(firstWait(first.sid)).toMatchObject({ QueuePosition: '1', CurrentQueueSize: '1' });
    expect(firstWait(second.sid)).toMatchObject({ QueuePosition: '2', CurrentQueueSize: '2' });
    expect(firstWait(third.sid)).toMatchObject({ QueuePosition: '3', CurrentQueueSize: '3', MaxQueueSize: '1000' });
    const queueSid = firstWait(first.sid).QueueSid as string;
    expect(firstWait(third.sid).QueueSid).toBe(queueSid);
    const members = await client.queues(queueSid).members.list();
    expect(members.map((m) => [m.callSid, m.position])).toEqual([
      [first.sid, 1],
      [second.sid, 2],
      [third.sid, 3],
    ]);

    // An agent calls in and takes the front caller.
    const agentMedia = await CallerMedia.open();
    onTestFinished(() => agentMedia.close());
    const agent = await h.call({ scenario: 'hangup', user: 'agent', media: agentMedia, hangupAfterMs: 2000, timeoutSeconds: 40 });
    const bridged = await h.app.waitFor((r) => r.pathname === '/queued' && r.params.CallSid === first.sid, 20_000, "the first caller's Enqueue action");
    expect(bridged.params).toMatchObject({ QueueResult: 'bridged', QueueSid: queueSid });
    const agentDone = await agent.done;
    expect(agentDone.exitCode, describeSipp(agentDone)).toBe(0);
    // The ones behind moved up: told at their next wait request.
    const moved = await h.app.waitFor((r) => r.pathname === '/wait' && r.params.CallSid === third.sid && r.params.QueuePosition === '2', 15_000, 'the third caller at position 2');
    expect(moved.params.CurrentQueueSize).toBe('2');
    await h.app.waitFor((r) => r.pathname === '/wait' && r.params.CallSid === second.sid && r.params.QueuePosition === '1', 15_000, 'the second caller at the front');
    expect((await client.queues(queueSid).members.list()).map((m) => [m.callSid, m.position])).toEqual([
      [second.sid, 1],
      [third.sid, 2],
    ]);

    // The app sends the new front caller elsewhere through the REST API.
    const sent = await client.queues(queueSid).members('Front').update({ url: h.app.url('/elsewhere') });
    expect(sent.callSid).toBe(second.sid);
    const redirected = await h.app.waitFor((r) => r.pathname === '/queued' && r.params.CallSid === second.sid, 15_000, "the second caller's Enqueue action");
    expect(redirected.params.QueueResult).toBe('redirected');
    const front = await h.app.waitFor((r) => r.pathname === '/wait' && r.params.CallSid === third.sid && r.params.QueuePosition === '1', 15_000, 'the third caller at the front');
    expect(front.params).toMatchObject({ CurrentQueueSize: '1', QueueSid: queueSid });
    expect(Number(front.params.QueueTime)).toBeGreaterThanOrEqual(2);

    // What the third caller was told, in order: its place and the queue's size, going down and never back up.
    expect(runs(waitsOf(third.sid), 'QueuePosition')).toEqual(['3', '2', '1']);
    expect(runs(waitsOf(third.sid), 'CurrentQueueSize')).toEqual(['3', '2', '1']);
    expect(runs(waitsOf(second.sid), 'QueuePosition')).toEqual(['2', '1']);

    // The last one is taken as well; every caller's call ends well.
    await client.queues(queueSid).members(third.sid).update({ url: h.app.url('/elsewhere') });
    for (const c of callers) {
      const done = await c.sipp.done;
      expect(done.exitCode, describeSipp(done)).toBe(0);
    }
    expect((await client.queues(queueSid).fetch()).currentSize).toBe(0);
  });
});
