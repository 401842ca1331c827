/**
 * The official twilio library against the REST API, through its documented
 * httpClient hook: what existing client code does must work unchanged.
 */
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { twilioClientFor, type RewritingRequestClient } from '../support/twilio-client.js';
import { AUTH_TOKEN, startApi, type ApiHarness } from './api-harness.js';
import { ACCOUNT } from './in-memory-services.js';

let api: ApiHarness;
let client: twilio.Twilio;
let http: RewritingRequestClient;

beforeAll(async () => {
  api = await startApi();
  ({ client, http } = twilioClientFor(api.base, ACCOUNT, AUTH_TOKEN));
});
afterAll(() => api.close());

describe('the twilio library', () => {
  test('calls.create with a Url and status callback events; the call comes back parsed', async () => {
    const call = await client.calls.create({
      to: '+1 555 010 0001',
      from: '+15550100002',
      url: 'https://app.example.com/voice',
      method: 'GET',
      statusCallback: 'https://app.example.com/status',
      statusCallbackEvent: ['initiated', 'answered', 'completed'],
      timeout: 30,
      record: true,
    });
    expect(call.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(call.status).toBe('queued');
    expect(call.to).toBe('+15550100001');
    expect(call.accountSid).toBe(ACCOUNT);
    expect(call.dateCreated).toBeInstanceOf(Date);
    expect(call.dateCreated.getTime()).toBe(Math.floor((api.calls.calls.get(call.sid)?.dateCreated.getTime() ?? 0) / 1000) * 1000);
    expect(call.startTime).toBeNull();
    expect(api.calls.created.at(-1)).toMatchObject({
      to: '+15550100001',
      url: 'https://app.example.com/voice',
      method: 'GET',
      statusCallbackEvents: ['initiated', 'answered', 'completed'],
      timeoutSeconds: 30,
      recording: { channels: 1, track: 'both', trim: true },
    });
    expect(http.requested.at(-1)).toMatchObject({ method: 'POST', uri: `${api.base}/2010-04-01/Accounts/${ACCOUNT}/Calls.json` });
  });

  test('calls.create with Twiml written by VoiceResponse', async () => {
    const response = new twilio.twiml.VoiceResponse();
    response.say('Hello from the library');
    response.hangup();
    const call = await client.calls.create({ to: 'sip:carol@pbx.example.com', from: '+15550100002', twiml: response });
    expect(call.to).toBe('sip:carol@pbx.example.com');
    expect(api.calls.created.at(-1)?.twiml).toBe(response.toString());
  });

  test('calls(sid).fetch, update with a redirect, update to hang up', async () => {
    const live = api.calls.add({ status: 'in-progress', startTime: new Date('2024-08-01T12:00:00Z') });
    const fetched = await client.calls(live.sid).fetch();
    expect(fetched.sid).toBe(live.sid);
    expect(fetched.startTime?.toISOString()).toBe('2024-08-01T12:00:00.000Z');

    const redirected = await client.calls(live.sid).update({ url: 'https://app.example.com/next', method: 'POST' });
    expect(redirected.status).toBe('in-progress');
    expect(api.calls.redirects.at(-1)).toEqual({ accountSid: ACCOUNT, callSid: live.sid, to: { url: 'https://app.example.com/next', method: 'POST' } });

    const twimlRedirect = await client.calls(live.sid).update({ twiml: '<Response><Pause length="1"/></Response>' });
    expect(twimlRedirect.sid).toBe(live.sid);
    expect(api.calls.redirects.at(-1)?.to).toEqual({ twiml: '<Response><Pause length="1"/></Response>' });

    const ended = await client.calls(live.sid).update({ status: 'completed' });
    expect(ended.status).toBe('completed');
    expect(ended.endTime).toBeInstanceOf(Date);
    expect(api.calls.ends.at(-1)).toEqual({ accountSid: ACCOUNT, callSid: live.sid, status: 'completed' });
  });

  test('calls.create with applicationSid, callerId and callReason', async () => {
    const call = await client.calls.create({ to: 'sip:carol@pbx.example.com', from: '+15550100002', applicationSid: 'AP' + 'a'.repeat(32), callerId: 'alice@company.example.com', callReason: 'Your table is ready' });
    expect(call.status).toBe('queued');
    expect(api.calls.created.at(-1)).toMatchObject({ applicationSid: 'AP' + 'a'.repeat(32), callerId: 'sip:alice@company.example.com', callReason: 'Your table is ready' });
    await expect(client.calls.create({ to: '+15550100001', from: '+15550100002', url: 'https://app.example.com/voice', applicationSid: 'AP' + 'a'.repeat(32) })).rejects.toMatchObject({ status: 400, code: 21205 });
  });

  test('calls(sid).update with fallbackUrl and statusCallback; calls(sid).remove of an ended call', async () => {
    const live = api.calls.add({ status: 'in-progress' });
    const updated = await client.calls(live.sid).update({ fallbackUrl: 'https://app.example.com/fallback', statusCallback: 'https://app.example.com/status', statusCallbackMethod: 'GET' });
    expect(updated.sid).toBe(live.sid);
    expect(api.calls.callbackChanges.at(-1)).toEqual({
      accountSid: ACCOUNT,
      callSid: live.sid,
      changes: { fallbackUrl: 'https://app.example.com/fallback', fallbackMethod: 'POST', statusCallback: 'https://app.example.com/status', statusCallbackMethod: 'GET' },
    });
    await expect(client.calls(live.sid).remove()).rejects.toMatchObject({ status: 400, code: 20009 });
    await client.calls(live.sid).update({ status: 'completed' });
    expect(await client.calls(live.sid).remove()).toBe(true);
    await expect(client.calls(live.sid).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
  });

  test('calls.list with endTimeAfter and endTimeBefore (sent as EndTime> and EndTime<)', async () => {
    const ended = api.calls.add({ to: '+15550188888', status: 'completed', endTime: new Date(Date.UTC(2024, 10, 5, 12, 0, 0)) });
    api.calls.add({ to: '+15550188888', status: 'completed', endTime: new Date(Date.UTC(2024, 10, 7, 12, 0, 0)) });
    const found = await client.calls.list({ to: '+15550188888', endTimeAfter: new Date(Date.UTC(2024, 10, 5)), endTimeBefore: new Date(Date.UTC(2024, 10, 6)) });
    expect(found.map((c) => c.sid)).toEqual([ended.sid]);
    expect(api.calls.listed.at(-1)?.filter).toEqual({ to: '+15550188888', endedAfter: new Date(Date.UTC(2024, 10, 5)), endedBefore: new Date(Date.UTC(2024, 10, 6, 0, 0, 0, 1)) });
  });

  test('errors come back as RestException with status and Twilio code', async () => {
    const missing = await client.calls('CA' + 'd'.repeat(32)).fetch().catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(twilio.RestException);
    expect(missing).toMatchObject({ status: 404, code: 20404 });

    const bad = await client.calls.create({ to: 'nobody', from: '+15550100002', url: 'https://app.example.com/voice' }).catch((err: unknown) => err);
    expect(bad).toMatchObject({ status: 400, code: 21211 });

    const { client: wrong } = twilioClientFor(api.base, ACCOUNT, 'not-the-token');
    const unauthorized = await wrong.calls.list().catch((err: unknown) => err);
    expect(unauthorized).toMatchObject({ status: 401, code: 20003 });
  });

  test('calls.list with pageSize follows next_page_uri over several pages and returns every call once', async () => {
    for (let i = 0; i < 23; i++) api.calls.add({ to: '+15550177777', dateCreated: new Date(Date.UTC(2024, 8, 1, 0, 0, i)), status: 'completed' });
    const before = http.requested.length;
    const calls = await client.calls.list({ to: '+15550177777', pageSize: 5, limit: 100 });
    const pageRequests = http.requested.slice(before);
    expect(pageRequests.length).toBe(5);
    expect(pageRequests[0]?.params).toMatchObject({ PageSize: 5, To: '+15550177777' });
    expect(pageRequests.slice(1).every((r) => r.uri.includes('PageToken=PA'))).toBe(true);
    const sids = calls.map((c) => c.sid);
    expect(sids.length).toBe(23);
    expect(new Set(sids).size).toBe(23);
    expect(calls.every((c) => c.to === '+15550177777')).toBe(true);
    // newest first
    const created = calls.map((c) => c.dateCreated.getTime());
    expect([...created].sort((a, b) => b - a)).toEqual(created);
  });

  test('calls.each with a limit stops there; list by status and startTimeBefore (sent as StartTime<)', async () => {
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      client.calls.each({ to: '+15550177777', pageSize: 4, limit: 10, done: (err?: Error) => (err ? reject(err) : resolve()) }, (call) => {
        seen.push(call.sid);
      });
    });
    expect(seen.length).toBe(10);
    expect(new Set(seen).size).toBe(10);

    const early = await client.calls.list({ to: '+15550177777', status: 'completed', startTimeBefore: new Date(Date.UTC(2024, 8, 1, 0, 0, 4)) });
    expect(early.length).toBe(5);
    expect(api.calls.listed.at(-1)?.filter).toEqual({ to: '+15550177777', status: 'completed', startedBefore: new Date(Date.UTC(2024, 8, 1, 0, 0, 4, 1)) });
  });

  test('recordings.list, a call\'s recordings, and recordings(sid).fetch', async () => {
    const call = api.calls.add();
    for (let i = 0; i < 3; i++) api.recordings.add({ callSid: call.sid, dateCreated: new Date(Date.UTC(2024, 9, 1, 0, 0, i)), durationSeconds: 3 + i });
    api.recordings.add({ callSid: 'CA' + '5'.repeat(32) });

    const all = await client.recordings.list({ pageSize: 2 });
    expect(all.length).toBe(4);
    const mine = await client.recordings.list({ callSid: call.sid });
    expect(mine.map((r) => r.duration)).toEqual(['5', '4', '3']);
    const viaCall = await client.calls(call.sid).recordings.list();
    expect(viaCall.map((r) => r.sid)).toEqual(mine.map((r) => r.sid));
    const one = await client.recordings(mine[0]?.sid ?? '').fetch();
    expect(one.callSid).toBe(call.sid);
    expect(one.dateCreated.toISOString()).toBe('2024-10-01T00:00:02.000Z');
  });
});
