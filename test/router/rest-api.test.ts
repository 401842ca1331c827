/**
 * The REST API against a running engine, through the official twilio
 * library: calls created to a SIPp called party run their Url or Twiml,
 * a live call is redirected in the middle of a long Say, hung up, or
 * cancelled while it rings, and the calls are listed page by page.
 */
import { describe, it } from 'vitest';
import { describeSipp } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { noContent, respond } from './helpers/app-server.js';
import { audible } from './helpers/call-expectations.js';
import { CallerMedia, PT_PCMU } from './helpers/caller-media.js';
import { startCallee } from './helpers/dial-callee.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter, type RouterHarness } from './helpers/router-harness.js';

const LONG_TEXT = 'This is a very long announcement that keeps going for quite a while so that it can be interrupted by a redirect. '.repeat(4);

async function setup(onTestFinished: (fn: () => Promise<void> | void) => void): Promise<{ h: RouterHarness; client: ReturnType<typeof twilioClientFor>['client'] }> {
  const h = await startRouter({ applications: [{ id: 'inbound', voice: '/voice' }] });
  onTestFinished(() => h.stop());
  h.app.on('/status', noContent());
  return { h, client: twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN).client };
}

describe('REST API with the engine', () => {
  it('creates an outbound call that runs its Url once answered; a redirect interrupts a long Say at once', async ({ expect, onTestFinished }) => {
    const { h, client } = await setup(onTestFinished);
    const callee = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'engine' });
    onTestFinished(() => callee.media.close());
    h.app.on('/outbound', respond(`<Say>${LONG_TEXT}</Say><Say>never reached</Say>`));
    h.app.on('/next', respond('<Hangup/>'));

    const call = await client.calls.create({
      to: callee.uri,
      from: '+15550009999',
      url: h.app.url('/outbound'),
      statusCallback: h.app.url('/status'),
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    });
    expect(call.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(call.status).toBe('queued');
    expect(call.direction).toBe('outbound-api');

    const first = await h.app.waitFor((r) => r.pathname === '/outbound', 10_000, 'the Url requested');
    expect(first.params).toMatchObject({ CallSid: call.sid, Direction: 'outbound-api', From: '+15550009999', To: callee.uri, CallStatus: 'in-progress', AccountSid: ACCOUNT_SID });
    await callee.media.waitForPackets(25, 5000);
    expect(audible(callee.media.packetsOf(PT_PCMU)).length).toBeGreaterThan(5);

    const live = await client.calls(call.sid).fetch();
    expect(live.status).toBe('in-progress');

    const redirectedAt = performance.now();
    await client.calls(call.sid).update({ url: h.app.url('/next'), method: 'POST' });
    const next = await h.app.waitFor((r) => r.pathname === '/next', 5000, 'the redirect fetched');
    expect(next.at - redirectedAt).toBeLessThan(1000);
    const calleeResult = await callee.sipp.done;
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);
    expect(findMessages(calleeResult.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);

    const statuses = await h.app.waitForCount('/status', 4, 5000);
    expect(statuses.map((r) => r.params.CallStatus)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
    const ended = await client.calls(call.sid).fetch();
    expect(ended.status).toBe('completed');
    expect(Number(ended.duration)).toBeGreaterThanOrEqual(0);
    // The long prompt was cut short: far fewer packets than it would take to say it all.
    expect(callee.media.packetsOf(PT_PCMU).length).toBeLessThan(1000);
  });

  it('Twiml instead of a Url; Status=completed hangs up an answered call with a BYE', async ({ expect, onTestFinished }) => {
    const { h, client } = await setup(onTestFinished);
    const callee = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'engine' });
    onTestFinished(() => callee.media.close());
    const call = await client.calls.create({ to: callee.uri, from: '+15550009999', twiml: '<Response><Say>Hello from inline instructions.</Say><Pause length="30"/></Response>' });
    await callee.media.waitForPackets(10, 10_000);
    await client.calls(call.sid).update({ status: 'completed' });
    const calleeResult = await callee.sipp.done;
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);
    expect((await client.calls(call.sid).fetch()).status).toBe('completed');
  });

  it('Status=canceled cancels a call that is still ringing (CANCEL to the called party)', async ({ expect, onTestFinished }) => {
    const { h, client } = await setup(onTestFinished);
    const callee = await startCallee(h.sipp, 'uas-ring-cancelled');
    onTestFinished(() => callee.media.close());
    const call = await client.calls.create({ to: callee.uri, from: '+15550009999', url: h.app.url('/never'), statusCallback: h.app.url('/status'), statusCallbackEvent: ['ringing', 'completed'] });
    await h.app.waitFor((r) => r.pathname === '/status' && r.params.CallStatus === 'ringing', 10_000, 'ringing');
    const updated = await client.calls(call.sid).update({ status: 'canceled' });
    expect(updated.status).toBe('canceled');
    const calleeResult = await callee.sipp.done;
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);
    expect(findMessages(calleeResult.trace, { direction: 'received', method: 'CANCEL' })).toHaveLength(1);
    const completed = await h.app.waitFor((r) => r.pathname === '/status' && r.params.CallStatus !== 'ringing', 5000, 'completed callback');
    expect(completed.params.CallStatus).toBe('canceled');
    expect(h.app.to('/never')).toHaveLength(0);
  });

  it('redirects an inbound call in the middle of a long Say', async ({ expect, onTestFinished }) => {
    const { h, client } = await setup(onTestFinished);
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    h.app.on('/voice', respond(`<Say>${LONG_TEXT}</Say>`));
    h.app.on('/next', respond('<Hangup/>'));
    const sipp = await h.call({ scenario: 'answered', user: 'inbound', media, timeoutSeconds: 30 });
    const voice = await h.app.waitFor((r) => r.pathname === '/voice', 10_000, 'the inbound call');
    await media.waitForPackets(25, 5000);
    const at = performance.now();
    await client.calls(voice.params.CallSid!).update({ url: h.app.url('/next') });
    const next = await h.app.waitFor((r) => r.pathname === '/next', 5000, 'the redirect');
    expect(next.at - at).toBeLessThan(1000);
    expect(next.params.CallSid).toBe(voice.params.CallSid);
    const result = await sipp.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const listed = await client.calls.list({ status: 'completed' });
    expect(listed.map((c) => c.sid)).toContain(voice.params.CallSid);
  });

  it('lists calls page by page, newest first, with filters; unknown calls and bad numbers are refused', async ({ expect, onTestFinished }) => {
    const { h, client } = await setup(onTestFinished);
    const sids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const callee = await startCallee(h.sipp, 'uas-reject-with');
      onTestFinished(() => callee.media.close());
      sids.push((await client.calls.create({ to: callee.uri, from: `+1555000000${i}`, url: h.app.url('/never') })).sid);
      await callee.sipp.done;
    }
    await expect.poll(async () => (await client.calls.list({ status: 'busy' })).length, { timeout: 5000 }).toBe(3);
    const all = await client.calls.list({ pageSize: 2 });
    expect(all.map((c) => c.sid)).toEqual([...sids].reverse());
    const page = await client.calls.page({ pageSize: 2 });
    expect(page.instances).toHaveLength(2);
    expect(page.nextPageUrl).toBeTruthy();
    const byFrom = await client.calls.list({ from: '+15550000001' });
    expect(byFrom.map((c) => c.sid)).toEqual([sids[1]]);
    expect((await client.calls(sids[0]!).fetch()).status).toBe('busy');

    await expect(client.calls('CA' + '0'.repeat(32)).fetch()).rejects.toMatchObject({ status: 404 });
    await expect(client.calls.create({ to: '+4420 7946 0000', from: '+15550009999', url: h.app.url('/never') })).rejects.toMatchObject({ status: 400, code: 21211 });
    await expect(twilioClientFor(h.apiBase, ACCOUNT_SID, 'wrong-token').client.calls.list()).rejects.toMatchObject({ status: 401 });
  });

  it("SIPp's built-in uas scenario as the called party: a Twiml call speaks, hangs up, and ends completed", async ({ expect, onTestFinished }) => {
    const { h, client } = await setup(onTestFinished);
    const uas = await h.sipp.start({ scenario: { builtin: 'uas' }, timeoutSeconds: 20 });
    const call = await client.calls.create({ to: `sip:service@${uas.target}`, from: '+15550009999', twiml: '<Response><Say>Hello.</Say><Hangup/></Response>' });
    const result = await uas.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);
    await expect.poll(async () => (await client.calls(call.sid).fetch()).status, { timeout: 5000 }).toBe('completed');
  });
  it('SendDigits reaches the called party as RFC 4733 events before the document runs; TimeLimit hangs up', async ({ expect, onTestFinished }) => {
    const { h, client } = await setup(onTestFinished);
    const callee = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'engine' });
    onTestFinished(() => callee.media.close());
    h.app.on('/outbound', respond('<Pause length="30"/>'));
    const started = performance.now();
    const call = await client.calls.create({ to: callee.uri, from: '+15550009999', url: h.app.url('/outbound'), sendDigits: '12w#', timeLimit: 3 });
    await h.app.waitFor((r) => r.pathname === '/outbound', 10_000, 'the Url requested');
    expect(callee.media.receivedDigits()).toBe('12#');
    // The engine hangs up at the TimeLimit, long before the Pause ends.
    const calleeResult = await callee.sipp.done;
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);
    expect(findMessages(calleeResult.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(10_000);
    await expect.poll(async () => (await client.calls(call.sid).fetch()).status, { timeout: 5000 }).toBe('completed');
    expect(Number((await client.calls(call.sid).fetch()).duration)).toBeLessThanOrEqual(4);
    // Bad values are refused with Twilio's error JSON.
    await expect(client.calls.create({ to: callee.uri, from: '+15550009999', url: h.app.url('/outbound'), sendDigits: '12x' })).rejects.toMatchObject({ status: 400 });
    await expect(client.calls.create({ to: callee.uri, from: '+15550009999', url: h.app.url('/outbound'), timeLimit: 0 })).rejects.toMatchObject({ status: 400 });
  });
});
