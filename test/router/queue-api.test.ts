/**
 * The Queues and Members REST resources over live calls, through the twilio
 * library: a queue made by REST with MaxSize 1 is the one <Enqueue> of its
 * name uses; the SIPp caller waiting in it is its member (Position 1, the
 * Front, CurrentSize 1); a second caller finds it full (QueueResult
 * queue-full); updating the member with a Url takes it out of the queue:
 * its Enqueue action is requested at once (QueueResult redirected) and the
 * call runs the document at the Url, whose audio the caller hears.
 */
import { describe, it } from 'vitest';
import { encodeWavInterleaved } from '../../media/embedded/audio/wav.js';
import { generateTone } from '../../media/embedded/dsp/tone.js';
import { describeSipp } from '../support/sipp.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { respond, wav } from './helpers/app-server.js';
import { CallerMedia } from './helpers/caller-media.js';
import { tonePackets } from './helpers/dial-callee.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter } from './helpers/router-harness.js';

const WAIT_TONE = 350;
const DEQUEUED_TONE = 1100;
const toneWav = (freq: number, ms: number): Buffer => encodeWavInterleaved(generateTone([freq], ms, 0.3), 1, 8000);

describe('the Queues REST resource over live calls', () => {
  it('members, Front and CurrentSize of a REST-made queue; queue-full past its MaxSize; a member sent to a Url runs it', async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'support', voice: '/support' }] });
    onTestFinished(() => h.stop());
    const { client } = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN);
    h.app.on('/support', respond('<Enqueue action="/queued" waitUrl="/wait">support</Enqueue><Say>unreached</Say>'));
    h.app.on('/wait', respond(`<Play>${h.app.url('/wait.wav')}</Play>`));
    h.app.on('/wait.wav', wav(toneWav(WAIT_TONE, 500)));
    // The action's answer is not run for a dequeued member (the Url's document is).
    h.app.on('/queued', respond('<Hangup/>'));
    h.app.on('/dequeued', respond(`<Play>${h.app.url('/dequeued.wav')}</Play><Hangup/>`));
    h.app.on('/dequeued.wav', wav(toneWav(DEQUEUED_TONE, 800)));

    const queue = await client.queues.create({ friendlyName: 'support', maxSize: 1 });

    const firstMedia = await CallerMedia.open();
    onTestFinished(() => firstMedia.close());
    const first = await h.call({ scenario: 'answered', user: 'support', media: firstMedia, timeoutSeconds: 40 });
    const wait = await h.app.waitFor((r) => r.pathname === '/wait', 10_000, 'the wait document');
    const firstSid = h.app.to('/support')[0]?.params.CallSid as string;
    // <Enqueue> took the queue the REST API made, with its MaxSize.
    expect(wait.params).toMatchObject({ CallSid: firstSid, QueueSid: queue.sid, MaxQueueSize: '1', CurrentQueueSize: '1', QueuePosition: '1' });
    await firstMedia.peer.waitFor(() => tonePackets(firstMedia.packets, WAIT_TONE).length >= 10, 5000, 'the wait tone at the first caller');

    const members = await client.queues(queue.sid).members.list();
    expect(members).toHaveLength(1);
    expect(members[0]).toMatchObject({ callSid: firstSid, queueSid: queue.sid, position: 1 });
    expect(members[0]?.dateEnqueued).toBeInstanceOf(Date);
    expect(members[0]?.uri).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Queues/${queue.sid}/Members/${firstSid}.json`);
    expect((await client.queues(queue.sid).fetch()).currentSize).toBe(1);
    expect((await client.queues(queue.sid).members('Front').fetch()).callSid).toBe(firstSid);
    expect((await client.queues(queue.sid).members(firstSid).fetch()).position).toBe(1);
    expect((await client.queues.list()).find((q) => q.sid === queue.sid)).toMatchObject({ friendlyName: 'support', currentSize: 1, maxSize: 1 });
    // A queue with a caller in it is not deleted.
    await expect(client.queues(queue.sid).remove()).rejects.toMatchObject({ status: 400 });

    // The second caller finds the queue full: its action at once, with QueueResult queue-full.
    const secondMedia = await CallerMedia.open();
    onTestFinished(() => secondMedia.close());
    const second = await h.call({ scenario: 'answered', user: 'support', media: secondMedia, timeoutSeconds: 30 });
    const full = await h.app.waitFor((r) => r.pathname === '/queued' && r.params.QueueResult === 'queue-full', 10_000, 'the second caller’s Enqueue action');
    const secondSid = h.app.to('/support')[1]?.params.CallSid;
    expect(full.params).toMatchObject({ CallSid: secondSid, QueueSid: queue.sid, QueueTime: '0' });
    const secondDone = await second.done;
    expect(secondDone.exitCode, describeSipp(secondDone)).toBe(0);
    expect((await client.queues(queue.sid).members.list()).map((m) => m.callSid)).toEqual([firstSid]);

    // Sent to a Url: out of the queue, its action requested at once, then the Url's document runs.
    const dequeued = await client.queues(queue.sid).members('Front').update({ url: h.app.url('/dequeued'), method: 'GET' });
    expect(dequeued).toMatchObject({ callSid: firstSid, queueSid: queue.sid, position: 1 });
    const redirected = await h.app.waitFor((r) => r.pathname === '/queued' && r.params.CallSid === firstSid, 5000, 'the first caller’s Enqueue action');
    expect(redirected.params).toMatchObject({ QueueResult: 'redirected', QueueSid: queue.sid });
    const fetched = await h.app.waitFor((r) => r.pathname === '/dequeued', 5000, 'the Url of the member update');
    expect(fetched.method).toBe('GET');
    expect(fetched.params.CallSid).toBe(firstSid);
    await firstMedia.peer.waitFor(() => tonePackets(firstMedia.packets, DEQUEUED_TONE).length >= 20, 5000, 'the Url document’s audio at the caller');
    const firstDone = await first.done;
    expect(firstDone.exitCode, describeSipp(firstDone)).toBe(0);
    expect(h.app.requests.findIndex((r) => r === redirected)).toBeLessThan(h.app.requests.findIndex((r) => r === fetched));
    expect(h.app.to('/support')).toHaveLength(2);

    expect(await client.queues(queue.sid).members.list()).toEqual([]);
    expect((await client.queues(queue.sid).fetch()).currentSize).toBe(0);
    await expect(client.queues(queue.sid).members(firstSid).fetch()).rejects.toMatchObject({ status: 404 });
    // Empty now: it can be deleted.
    expect(await client.queues(queue.sid).remove()).toBe(true);
  });

  it('a Calls redirect of an enqueued caller: its Enqueue action is requested at once (QueueResult redirected), then the new document runs', async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'support', voice: '/support' }] });
    onTestFinished(() => h.stop());
    const { client } = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN);
    h.app.on('/support', respond('<Enqueue action="/queued">sales</Enqueue>'));
    h.app.on('/queued', respond('<Say>unreached</Say>'));
    h.app.on('/elsewhere', respond('<Hangup/>'));
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    const caller = await h.call({ scenario: 'answered', user: 'support', media, timeoutSeconds: 30 });
    const callSid = (await h.app.waitFor((r) => r.pathname === '/support', 10_000, 'the first document')).params.CallSid as string;
    // The queue is made, and the caller in it, once the document's <Enqueue> runs.
    const membersOfSales = async (): Promise<string[]> => {
      const sales = (await client.queues.list()).find((q) => q.friendlyName === 'sales');
      return sales ? (await client.queues(sales.sid).members.list()).map((m) => m.callSid) : [];
    };
    await expect.poll(membersOfSales, { timeout: 5000 }).toEqual([callSid]);
    const [sales] = await client.queues.list();
    await client.calls(callSid).update({ url: h.app.url('/elsewhere') });
    const action = await h.app.waitFor((r) => r.pathname === '/queued', 5000, 'the Enqueue action');
    expect(action.params).toMatchObject({ CallSid: callSid, QueueResult: 'redirected', QueueSid: sales?.sid });
    await h.app.waitFor((r) => r.pathname === '/elsewhere', 5000, 'the redirect document');
    const done = await caller.done;
    expect(done.exitCode, describeSipp(done)).toBe(0);
    expect(h.app.requests.findIndex((r) => r === action)).toBeLessThan(h.app.requests.findIndex((r) => r.pathname === '/elsewhere'));
  });
});
