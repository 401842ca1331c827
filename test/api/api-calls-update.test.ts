import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startApi, type ApiHarness } from './api-harness.js';
import { ACCOUNT, OTHER_ACCOUNT } from './in-memory-services.js';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const UNKNOWN = 'CA' + 'e'.repeat(32);

describe('GET /Calls/{CallSid}.json', () => {
  test("a call in Twilio's JSON shape, dates in RFC 2822", async () => {
    const parent = api.calls.add();
    const call = api.calls.add({
      parentCallSid: parent.sid,
      from: 'sip:bob@example.com',
      to: '+15550009999',
      status: 'completed',
      direction: 'outbound-dial',
      dateCreated: new Date(Date.UTC(2010, 7, 31, 20, 36, 28)),
      dateUpdated: new Date(Date.UTC(2010, 7, 31, 20, 37, 0)),
      startTime: new Date(Date.UTC(2010, 7, 31, 20, 36, 29)),
      endTime: new Date(Date.UTC(2010, 8, 1, 2, 3, 4)),
      durationSeconds: 31,
      callerName: 'Bob',
    });
    const res = await api.request(`/Calls/${call.sid}.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const uri = `/2010-04-01/Accounts/${ACCOUNT}/Calls/${call.sid}`;
    expect(await res.json()).toEqual({
      sid: call.sid,
      date_created: 'Tue, 31 Aug 2010 20:36:28 +0000',
      date_updated: 'Tue, 31 Aug 2010 20:37:00 +0000',
      parent_call_sid: parent.sid,
      account_sid: ACCOUNT,
      to: '+15550009999',
      to_formatted: '+15550009999',
      from: 'sip:bob@example.com',
      from_formatted: 'sip:bob@example.com',
      phone_number_sid: null,
      status: 'completed',
      start_time: 'Tue, 31 Aug 2010 20:36:29 +0000',
      end_time: 'Wed, 01 Sep 2010 02:03:04 +0000',
      duration: '31',
      price: null,
      price_unit: 'USD',
      direction: 'outbound-dial',
      answered_by: null,
      annotation: null,
      api_version: '2010-04-01',
      forwarded_from: null,
      group_sid: null,
      caller_name: 'Bob',
      queue_time: '0',
      trunk_sid: null,
      uri: `${uri}.json`,
      subresource_uris: { recordings: `${uri}/Recordings.json` },
    });
  });

  test('an unknown call is 404 with code 20404', async () => {
    const res = await api.request(`/Calls/${UNKNOWN}.json`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { code: number; status: number; more_info: string };
    expect(body).toMatchObject({ code: 20404, status: 404, more_info: 'https://www.twilio.com/docs/errors/20404' });
  });

  test("another account's call is not found", async () => {
    const theirs = api.calls.add({ accountSid: OTHER_ACCOUNT });
    expect((await api.request(`/Calls/${theirs.sid}.json`)).status).toBe(404);
  });

  test.each(['/Calls/x/y/z.json', `/Calls/${UNKNOWN}.xml`, '/Conferences.json'])('unknown path %s is 404 JSON', async (path) => {
    const res = await api.request(path);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: number }).code).toBe(20404);
  });
});

describe('POST /Calls/{CallSid}.json', () => {
  test('Url and Method redirect the live call', async () => {
    const call = api.calls.add();
    const res = await api.request(`/Calls/${call.sid}.json`, { form: { Url: 'http://app.example.com/next', Method: 'GET' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { sid: string }).sid).toBe(call.sid);
    expect(api.calls.redirects.filter((r) => r.callSid === call.sid)).toEqual([
      { accountSid: ACCOUNT, callSid: call.sid, to: { url: 'http://app.example.com/next', method: 'GET' } },
    ]);
  });

  test('Twiml redirects to the document; StatusCallback is accepted alongside', async () => {
    const call = api.calls.add();
    const twiml = '<Response><Say>Moved</Say></Response>';
    const res = await api.request(`/Calls/${call.sid}.json`, { form: { Twiml: twiml, StatusCallback: 'https://app.example.com/status' } });
    expect(res.status).toBe(200);
    expect(api.calls.redirects.filter((r) => r.callSid === call.sid).map((r) => r.to)).toEqual([{ twiml }]);
  });

  test.each(['completed', 'canceled'] as const)('Status=%s ends the call', async (status) => {
    const call = api.calls.add({ status: 'ringing' });
    const res = await api.request(`/Calls/${call.sid}.json`, { form: { Status: status } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; end_time: string | null };
    expect(body.status).toBe(status);
    expect(body.end_time).toMatch(/ \+0000$/);
    expect(api.calls.ends.filter((e) => e.callSid === call.sid)).toEqual([{ accountSid: ACCOUNT, callSid: call.sid, status }]);
  });

  test('redirecting an ended call: the service says 21220 and the API answers so', async () => {
    const call = api.calls.add({ status: 'completed' });
    const res = await api.request(`/Calls/${call.sid}.json`, { form: { Url: 'http://app.example.com/next' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: 21220,
      message: 'Call is not in-progress. Cannot redirect.',
      more_info: 'https://www.twilio.com/docs/errors/21220',
      status: 400,
    });
  });

  test.each([
    [{ Status: 'busy' }, 'Status'],
    [{ Status: 'completed', Url: 'http://app.example.com/x' }, 'Status'],
    [{ Url: 'javascript:alert(1)' }, 'Url'],
    [{ Url: 'http://app.example.com/x', Twiml: '<Response/>' }, 'Twiml'],
    [{ Url: 'http://app.example.com/x', Method: 'PATCH' }, 'Method'],
  ])('%o is 400 naming %s, and nothing is done', async (form, name) => {
    const call = api.calls.add();
    const res = await api.request(`/Calls/${call.sid}.json`, { form });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain(name);
    expect(api.calls.redirects.some((r) => r.callSid === call.sid)).toBe(false);
    expect(api.calls.ends.some((e) => e.callSid === call.sid)).toBe(false);
  });

  test.each<Record<string, string>>([{ Url: 'http://app.example.com/x' }, { Status: 'completed' }, {}])('an unknown call is 404 for %o', async (form) => {
    const res = await api.request(`/Calls/${UNKNOWN}.json`, { form });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: number }).code).toBe(20404);
  });
});

describe('POST /Calls/{CallSid}.json with new callbacks', () => {
  const changesOf = (sid: string): unknown[] => api.calls.callbackChanges.filter((c) => c.callSid === sid).map((c) => c.changes);

  test('FallbackUrl and StatusCallback with a Url: the callbacks change first, then the redirect', async () => {
    const call = api.calls.add();
    api.calls.order.length = 0;
    const res = await api.request(`/Calls/${call.sid}.json`, {
      form: { Url: 'http://app.example.com/next', FallbackUrl: 'http://app.example.com/fallback', FallbackMethod: 'get', StatusCallback: 'https://app.example.com/status' },
    });
    expect(res.status).toBe(200);
    expect(changesOf(call.sid)).toEqual([
      { fallbackUrl: 'http://app.example.com/fallback', fallbackMethod: 'GET', statusCallback: 'https://app.example.com/status', statusCallbackMethod: 'POST' },
    ]);
    expect(api.calls.order).toEqual(['callbacks', 'redirect']);
  });

  test('StatusCallback alone changes the callbacks and answers the call; a method alone changes the method only', async () => {
    const call = api.calls.add();
    const res = await api.request(`/Calls/${call.sid}.json`, { form: { StatusCallback: 'https://app.example.com/status2', StatusCallbackMethod: 'GET' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { sid: string; status: string })).toMatchObject({ sid: call.sid, status: 'in-progress' });
    await api.request(`/Calls/${call.sid}.json`, { form: { FallbackMethod: 'GET' } });
    expect(changesOf(call.sid)).toEqual([{ statusCallback: 'https://app.example.com/status2', statusCallbackMethod: 'GET' }, { fallbackMethod: 'GET' }]);
    expect(api.calls.redirects.some((r) => r.callSid === call.sid)).toBe(false);
  });

  test('with Status=completed the new StatusCallback is in place before the call ends', async () => {
    const call = api.calls.add();
    api.calls.order.length = 0;
    const res = await api.request(`/Calls/${call.sid}.json`, { form: { Status: 'completed', StatusCallback: 'https://app.example.com/last' } });
    expect(res.status).toBe(200);
    expect(api.calls.order).toEqual(['callbacks', 'end']);
  });

  test('an ended call: 21220; an unknown call: 404; a bad URL: 400 naming it, nothing changed', async () => {
    const ended = api.calls.add({ status: 'completed' });
    const res = await api.request(`/Calls/${ended.sid}.json`, { form: { StatusCallback: 'https://app.example.com/status' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: number }).code).toBe(21220);
    expect((await api.request(`/Calls/${UNKNOWN}.json`, { form: { FallbackUrl: 'https://app.example.com/f' } })).status).toBe(404);
    const live = api.calls.add();
    const bad = await api.request(`/Calls/${live.sid}.json`, { form: { FallbackUrl: 'not a url' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('FallbackUrl');
    expect(changesOf(live.sid)).toEqual([]);
  });
});

describe('DELETE /Calls/{CallSid}.json', () => {
  test('an ended call: 204 without a body, and it is gone from fetch and list', async () => {
    const call = api.calls.add({ status: 'completed', endTime: new Date() });
    const res = await api.request(`/Calls/${call.sid}.json`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect((await api.request(`/Calls/${call.sid}.json`)).status).toBe(404);
    const listed = (await (await api.request('/Calls.json?PageSize=1000')).json()) as { calls: { sid: string }[] };
    expect(listed.calls.map((c) => c.sid)).not.toContain(call.sid);
  });

  test('a call in progress: 400 with code 20009, and it stays', async () => {
    const call = api.calls.add({ status: 'ringing' });
    const res = await api.request(`/Calls/${call.sid}.json`, { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: 20009,
      message: 'Cannot delete this resource before it is complete',
      more_info: 'https://www.twilio.com/docs/errors/20009',
      status: 400,
    });
    expect((await api.request(`/Calls/${call.sid}.json`)).status).toBe(200);
  });

  test("an unknown call, or another account's: 404 with 20404", async () => {
    const theirs = api.calls.add({ accountSid: OTHER_ACCOUNT, status: 'completed' });
    for (const sid of [UNKNOWN, theirs.sid]) {
      const res = await api.request(`/Calls/${sid}.json`, { method: 'DELETE' });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 20404, status: 404, more_info: 'https://www.twilio.com/docs/errors/20404' });
    }
    expect(api.calls.calls.has(theirs.sid)).toBe(true);
  });
});
