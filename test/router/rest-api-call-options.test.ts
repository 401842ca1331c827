/**
 * The REST API's newer call parameters against a running engine, through
 * the official twilio library and a SIPp called party: CallerId and
 * CallReason in the INVITE, ApplicationSid instead of a Url, new fallback
 * and status callback URLs for a live call (also when another engine of a
 * cluster runs it), and deleting a call's record once it has ended.
 */
import { describe, it } from 'vitest';
import { describeSipp, type SippProcess } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { httpStatus, noContent, respond } from './helpers/app-server.js';
import { CallerMedia } from './helpers/caller-media.js';
import { startCallee } from './helpers/dial-callee.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter, type RouterHarness, type TestApplication } from './helpers/router-harness.js';
import { startTwoEngines } from './helpers/two-engines.js';

const APP_SID = 'AP' + '0123456789abcdef'.repeat(2);

async function setup(
  onTestFinished: (fn: () => Promise<void> | void) => void,
  applications: TestApplication[] = [{ id: 'inbound', voice: '/voice' }],
): Promise<{ h: RouterHarness; client: ReturnType<typeof twilioClientFor>['client'] }> {
  const h = await startRouter({ applications });
  onTestFinished(() => h.stop());
  for (const path of ['/status', '/status2', '/ignored', '/app-status']) h.app.on(path, noContent());
  return { h, client: twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN).client };
}

describe('REST API call options with the engine', () => {
  it('CallerId is the From of the INVITE to a SIP URI (user and host), CallReason its Subject; the call record keeps From', async ({ expect, onTestFinished }) => {
    const { h, client } = await setup(onTestFinished);
    const callee = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'engine' });
    onTestFinished(() => callee.media.close());
    const call = await client.calls.create({
      to: callee.uri,
      from: '+15550009999',
      callerId: 'alice@company.example.com',
      callReason: 'Your order 42 is ready',
      twiml: '<Response><Say>Hello.</Say><Hangup/></Response>',
    });
    const result = await callee.sipp.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const [invite] = findMessages(result.trace, { direction: 'received', method: 'INVITE' });
    expect(invite?.header('From')).toMatch(/^<sip:alice@company\.example\.com>;tag=/);
    expect(invite?.header('To')).toContain(callee.uri);
    expect(invite?.header('Subject')).toBe('Your order 42 is ready');
    expect((await client.calls(call.sid).fetch()).from).toBe('+15550009999');
  });

  it('without CallerId the From user is From; a client: CallerId gives the user alone', async ({ expect, onTestFinished }) => {
    const { h, client } = await setup(onTestFinished);
    for (const [callerId, user] of [[undefined, '+15550009999'], ['client:reception', 'reception']] as const) {
      const callee = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'engine' });
      onTestFinished(() => callee.media.close());
      await client.calls.create({ to: callee.uri, from: '+15550009999', ...(callerId ? { callerId } : {}), twiml: '<Response><Say>Hello.</Say><Hangup/></Response>' });
      const result = await callee.sipp.done;
      expect(result.exitCode, describeSipp(result)).toBe(0);
      const [invite] = findMessages(result.trace, { direction: 'received', method: 'INVITE' });
      expect(invite?.header('From')).toMatch(new RegExp(`^<sip:${user.replace('+', '\\+')}@127\\.0\\.0\\.1(:\\d+)?>;tag=`));
      expect(invite?.header('Subject')).toBeUndefined();
    }
  });

  it("ApplicationSid: the application's voice URL, fallback and status callback are used, the request's ignored; an unknown one is 21218", async ({ expect, onTestFinished }) => {
    const { h, client } = await setup(onTestFinished, [
      { id: 'inbound', voice: '/voice' },
      { id: APP_SID, voice: '/app-voice', fallback: '/app-fallback', statusCallback: '/app-status', statusCallbackEvents: ['initiated', 'completed'] },
    ]);
    h.app.on('/app-voice', httpStatus(500));
    h.app.on('/app-fallback', respond('<Hangup/>'));
    const callee = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'engine' });
    onTestFinished(() => callee.media.close());
    const call = await client.calls.create({ to: callee.uri, from: '+15550009999', applicationSid: APP_SID, statusCallback: h.app.url('/ignored'), fallbackUrl: h.app.url('/ignored') });
    const voice = await h.app.waitFor((r) => r.pathname === '/app-voice', 10_000, "the application's voice URL");
    expect(voice.params).toMatchObject({ CallSid: call.sid, Direction: 'outbound-api', From: '+15550009999', To: callee.uri });
    const fallback = await h.app.waitFor((r) => r.pathname === '/app-fallback', 5000, "the application's fallback URL");
    expect(fallback.params).toMatchObject({ CallSid: call.sid, ErrorUrl: h.app.url('/app-voice') });
    const result = await callee.sipp.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const statuses = await h.app.waitForCount('/app-status', 2, 5000);
    expect(statuses.map((r) => r.params.CallStatus)).toEqual(['initiated', 'completed']);
    expect(h.app.to('/ignored')).toHaveLength(0);

    await expect(client.calls.create({ to: callee.uri, from: '+15550009999', applicationSid: 'AP' + 'f'.repeat(32) })).rejects.toMatchObject({ status: 400, code: 21218 });
  });

  it('new FallbackUrl and StatusCallback for a live call: the next fetch falls back there, the next callbacks go there; then DELETE', async ({ expect, onTestFinished }) => {
    const { h, client } = await setup(onTestFinished);
    const callee = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'engine' });
    onTestFinished(() => callee.media.close());
    h.app.on('/hold', respond('<Pause length="20"/>'));
    h.app.on('/broken', httpStatus(500));
    h.app.on('/fallback2', respond('<Hangup/>'));
    const call = await client.calls.create({
      to: callee.uri,
      from: '+15550009999',
      url: h.app.url('/hold'),
      statusCallback: h.app.url('/status'),
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    });
    await h.app.waitFor((r) => r.pathname === '/hold', 10_000, 'the Url requested');
    await h.app.waitForCount('/status', 3, 5000);

    // A live call cannot be deleted.
    await expect(client.calls(call.sid).remove()).rejects.toMatchObject({ status: 400, code: 20009 });

    const updated = await client.calls(call.sid).update({ fallbackUrl: h.app.url('/fallback2'), fallbackMethod: 'POST', statusCallback: h.app.url('/status2'), statusCallbackMethod: 'GET' });
    expect(updated.status).toBe('in-progress');
    await client.calls(call.sid).update({ url: h.app.url('/broken') });
    const fallback = await h.app.waitFor((r) => r.pathname === '/fallback2', 5000, 'the new fallback URL');
    expect(fallback.method).toBe('POST');
    expect(fallback.params).toMatchObject({ CallSid: call.sid, ErrorCode: '11200', ErrorUrl: h.app.url('/broken') });
    const result = await callee.sipp.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);

    const [completed] = await h.app.waitForCount('/status2', 1, 5000);
    expect(completed?.method).toBe('GET');
    expect(completed?.params).toMatchObject({ CallSid: call.sid, CallStatus: 'completed' });
    expect(h.app.to('/status').map((r) => r.params.CallStatus)).toEqual(['initiated', 'ringing', 'in-progress']);

    // Ended: its record goes, from fetch and from the list.
    await expect.poll(async () => (await client.calls(call.sid).fetch()).status, { timeout: 5000 }).toBe('completed');
    expect(await client.calls(call.sid).remove()).toBe(true);
    await expect(client.calls(call.sid).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    expect((await client.calls.list()).map((c) => c.sid)).not.toContain(call.sid);
    await expect(client.calls(call.sid).remove()).rejects.toMatchObject({ status: 404, code: 20404 });
  });

  it('in a cluster, a StatusCallback given through one engine moves the callbacks of a call the other runs', async ({ expect, onTestFinished }) => {
    const { a, records } = await startTwoEngines(onTestFinished, { applications: [{ id: 'hold', voice: '/voice', statusCallback: '/status' }], keyPrefix: 'callbacks' });
    a.app.on('/voice', respond('<Pause length="20"/>'));
    a.app.on('/status', noContent());
    a.app.on('/status2', noContent());
    a.app.on('/bye', respond('<Hangup/>'));
    const media = await Promise.all([CallerMedia.open(), CallerMedia.open()]);
    onTestFinished(async () => void (await Promise.all(media.map((m) => m.close()))));
    const callers: SippProcess[] = [];
    for (const m of media) callers.push(await a.call({ scenario: 'answered', user: 'hold', media: m, timeoutSeconds: 30 }));
    const viaA = twilioClientFor(a.apiBase, ACCOUNT_SID, AUTH_TOKEN).client;
    await expect.poll(async () => (await viaA.calls.list({ status: 'in-progress' })).length, { timeout: 15_000 }).toBe(2);
    const sids = (await viaA.calls.list({ status: 'in-progress' })).map((c) => c.sid);
    const onB: string[] = [];
    for (const sid of sids) if ((await records.calls.get(sid))?.engineId === 'engine-b') onB.push(sid);
    expect(onB).toHaveLength(1);
    const sid = onB[0] as string;

    await viaA.calls(sid).update({ statusCallback: a.app.url('/status2') });
    await viaA.calls(sid).update({ url: a.app.url('/bye') });
    const [completed] = await a.app.waitForCount('/status2', 1, 10_000);
    expect(completed?.params).toMatchObject({ CallSid: sid, CallStatus: 'completed' });
    expect(a.app.to('/status').filter((r) => r.params.CallSid === sid)).toHaveLength(0);
    for (const other of sids.filter((s) => s !== sid)) await viaA.calls(other).update({ status: 'completed' });
    for (const caller of callers) expect((await caller.done).exitCode).toBe(0);
  });
});
