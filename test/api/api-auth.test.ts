import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiPath, AUTH_TOKEN, basicAuth, OTHER_AUTH_TOKEN, startApi, type ApiHarness } from './api-harness.js';
import { ACCOUNT, OTHER_ACCOUNT } from './in-memory-services.js';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
  api.calls.add({ to: '+15557770000' });
});
afterAll(() => api.close());

async function getCalls(authorization: string | undefined, account = ACCOUNT): Promise<Response> {
  const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
  return fetch(api.base + apiPath('/Calls.json', account), { headers });
}

describe('HTTP Basic authentication by account id and auth token', () => {
  test('the right credentials list the calls', async () => {
    const res = await getCalls(basicAuth(ACCOUNT, AUTH_TOKEN));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { calls: { to: string }[] };
    expect(body.calls.map((c) => c.to)).toEqual(['+15557770000']);
  });

  test.each([
    ['no Authorization header', undefined],
    ['a wrong token', basicAuth(ACCOUNT, 'wrong-token')],
    ['a token that is a prefix of the right one', basicAuth(ACCOUNT, AUTH_TOKEN.slice(0, -1))],
    ['an unknown account', basicAuth('AC' + '9'.repeat(32), AUTH_TOKEN)],
    ['an empty password', basicAuth(ACCOUNT, '')],
    ['another scheme', `Bearer ${AUTH_TOKEN}`],
    ['base64 without a colon', 'Basic ' + Buffer.from(ACCOUNT).toString('base64')],
    ['garbage after Basic', 'Basic !!!not-base64!!!'],
  ])('%s: 401 with WWW-Authenticate and Twilio error 20003', async (_what, authorization) => {
    const res = await getCalls(authorization);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="dialtone"');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    expect(api.calls.listed.length).toBe(1); // only the first test reached the service
  });

  test("a valid account asking for another account's calls gets 403", async () => {
    const res = await getCalls(basicAuth(ACCOUNT, AUTH_TOKEN), OTHER_ACCOUNT);
    expect(res.status).toBe(403);
    const body = (await res.json()) as { code: number; message: string; status: number };
    expect(body.code).toBe(20003);
    expect(body.status).toBe(403);
    expect(body.message).toContain(OTHER_ACCOUNT);
  });

  test("the other account's own credentials see its (empty) list, not the first account's calls", async () => {
    const res = await getCalls(basicAuth(OTHER_ACCOUNT, OTHER_AUTH_TOKEN), OTHER_ACCOUNT);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { calls: unknown[] }).calls).toEqual([]);
  });

  test('a create without credentials reaches nothing', async () => {
    const res = await fetch(api.base + apiPath('/Calls.json'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'To=%2B15551234567&From=%2B15557654321&Url=http%3A%2F%2Fexample.com%2F',
    });
    expect(res.status).toBe(401);
    expect(api.calls.created).toEqual([]);
  });

  test('an unknown path without credentials is 401, with credentials 404 JSON', async () => {
    expect((await fetch(api.base + '/nothing/here')).status).toBe(401);
    const res = await fetch(api.base + '/nothing/here', { headers: { authorization: basicAuth(ACCOUNT, AUTH_TOKEN) } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      code: 20404,
      message: 'The requested resource /nothing/here was not found',
      more_info: 'https://www.twilio.com/docs/errors/20404',
      status: 404,
    });
  });
});
