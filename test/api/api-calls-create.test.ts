import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ApiError } from '../../engine/api/call-service.js';
import { startApi, type ApiHarness } from './api-harness.js';
import { ACCOUNT } from './in-memory-services.js';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi({ bodyLimit: 2048 });
});
afterAll(() => api.close());
beforeEach(() => {
  api.calls.created.length = 0;
});

const BASE_FORM = { To: '+15551234567', From: '+15557654321', Url: 'https://app.example.com/voice' };

interface ErrorJson {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

async function expectError(res: Response, status: number, code: number, messagePart: string): Promise<void> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as ErrorJson;
  expect(body).toEqual({ code, message: expect.stringContaining(messagePart) as unknown, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

describe('POST /Calls.json', () => {
  test('a call with a Url: 201 with the call JSON, and the service gets every parameter normalised', async () => {
    const res = await api.request('/Calls.json', {
      form: {
        To: '+1 (555) 123-4567',
        From: '+15557654321',
        Url: 'https://app.example.com/voice',
        Method: 'get',
        FallbackUrl: 'https://app.example.com/fallback',
        FallbackMethod: 'GET',
        StatusCallback: 'https://app.example.com/status',
        StatusCallbackMethod: 'post',
        StatusCallbackEvent: ['initiated ringing', 'answered', 'completed'],
        Timeout: '25',
        Record: 'true',
      },
    });
    expect(res.status).toBe(201);
    const call = (await res.json()) as Record<string, unknown>;
    expect(call).toMatchObject({
      account_sid: ACCOUNT,
      to: '+15551234567',
      from: '+15557654321',
      status: 'queued',
      direction: 'outbound-api',
      start_time: null,
      end_time: null,
      duration: null,
      api_version: '2010-04-01',
    });
    expect(call.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(call.uri).toBe(`/2010-04-01/Accounts/${ACCOUNT}/Calls/${String(call.sid)}.json`);
    expect(api.calls.created).toEqual([
      {
        accountSid: ACCOUNT,
        to: '+15551234567',
        from: '+15557654321',
        url: 'https://app.example.com/voice',
        method: 'GET',
        fallbackUrl: 'https://app.example.com/fallback',
        fallbackMethod: 'GET',
        statusCallback: 'https://app.example.com/status',
        statusCallbackMethod: 'POST',
        statusCallbackEvents: ['initiated', 'ringing', 'answered', 'completed'],
        timeoutSeconds: 25,
        recording: { channels: 1, track: 'both', trim: true, statusCallbackMethod: 'POST', statusCallbackEvents: ['completed'] },
        timeLimitSeconds: 14_400,
      },
    ]);
  });

  test('a call with Twiml to a SIP URI with digest credentials; defaults for everything else', async () => {
    const twiml = '<Response><Say>Hello</Say><Hangup/></Response>';
    const res = await api.request('/Calls.json', {
      form: { To: 'sip:alice@pbx.example.com:5060;transport=tcp', From: 'alice', Twiml: twiml, SipAuthUsername: 'u1', SipAuthPassword: 'p 1' },
    });
    expect(res.status).toBe(201);
    expect(api.calls.created).toEqual([
      {
        accountSid: ACCOUNT,
        to: 'sip:alice@pbx.example.com:5060;transport=tcp',
        from: 'alice',
        twiml,
        method: 'POST',
        fallbackMethod: 'POST',
        statusCallbackMethod: 'POST',
        statusCallbackEvents: ['completed'],
        timeoutSeconds: 60,
        timeLimitSeconds: 14_400,
        sipAuthUsername: 'u1',
        sipAuthPassword: 'p 1',
      },
    ]);
  });

  test('ApplicationSid instead of Url or Twiml reaches the service as given', async () => {
    const res = await api.request('/Calls.json', { form: { To: 'sip:bob@pbx.example.com', From: '+15557654321', ApplicationSid: 'AP' + 'c'.repeat(32) } });
    expect(res.status).toBe(201);
    expect(api.calls.created[0]).toMatchObject({ applicationSid: 'AP' + 'c'.repeat(32) });
    expect(api.calls.created[0]).not.toHaveProperty('url');
    expect(api.calls.created[0]).not.toHaveProperty('twiml');
  });

  test.each([
    ['a number', '+1 555 010 0001', '+15550100001'],
    ['a SIP address as Twilio writes it', 'alice@company.example.com', 'sip:alice@company.example.com'],
    ['a SIP URI', 'sips:alice@company.example.com', 'sips:alice@company.example.com'],
    ['a client', 'client:alice', 'client:alice'],
    ['a user name', 'reception', 'reception'],
  ])('CallerId as %s is kept normalised, CallReason as given', async (_what, callerId, normalised) => {
    const res = await api.request('/Calls.json', { form: { ...BASE_FORM, To: 'sip:bob@pbx.example.com', CallerId: callerId, CallReason: 'Your order 42 is ready — é' } });
    expect(res.status).toBe(201);
    expect(api.calls.created[0]).toMatchObject({ callerId: normalised, callReason: 'Your order 42 is ready — é' });
  });

  test('a CallReason of 255 characters is accepted', async () => {
    const res = await api.request('/Calls.json', { form: { ...BASE_FORM, CallReason: 'é'.repeat(255) } });
    expect(res.status).toBe(201);
    expect(api.calls.created[0]?.callReason).toHaveLength(255);
  });

  test.each([
    ['To missing', { To: undefined }, 21201, 'Required parameter To is missing.'],
    ['To empty', { To: '  ' }, 21201, 'Required parameter To is missing.'],
    ['To not a number', { To: 'call-me-maybe' }, 21211, "'To'"],
    ['To a bad SIP URI', { To: 'sip:@' }, 21211, "'To'"],
    ['To with letters in a number', { To: '+1555CALLNOW' }, 21211, "'To'"],
    ['From missing', { From: undefined }, 21213, 'Required parameter From is missing.'],
    ['From with spaces and symbols', { From: 'a b <c>' }, 21212, "'From'"],
    ['Url not http', { Url: 'ftp://app.example.com/x' }, 21205, 'Url'],
    ['Url not a URL', { Url: 'not a url' }, 21205, 'Url'],
    ['neither Url nor Twiml nor ApplicationSid', { Url: undefined }, 21205, 'Url, Twiml and ApplicationSid'],
    ['both Url and Twiml', { Twiml: '<Response/>' }, 21205, 'Twiml'],
    ['both Url and ApplicationSid', { ApplicationSid: 'AP' + '1'.repeat(32) }, 21205, 'ApplicationSid'],
    ['both Twiml and ApplicationSid', { Url: undefined, Twiml: '<Response/>', ApplicationSid: 'voicemail' }, 21205, 'ApplicationSid'],
    ['CallerId not an address', { CallerId: 'two words' }, 20001, 'CallerId'],
    ['CallReason of 256 characters', { CallReason: 'x'.repeat(256) }, 20001, 'CallReason'],
    ['CallReason with a line break', { CallReason: 'Your order\r\nX-Evil: 1' }, 20001, 'CallReason'],
    ['Method PUT', { Method: 'PUT' }, 20001, 'Method'],
    ['FallbackMethod bad', { FallbackMethod: 'DELETE' }, 20001, 'FallbackMethod'],
    ['StatusCallback not http', { StatusCallback: 'mailto:x@example.com' }, 20001, 'StatusCallback'],
    ['FallbackUrl relative', { FallbackUrl: '/fallback' }, 20001, 'FallbackUrl'],
    ['StatusCallbackEvent unknown', { StatusCallbackEvent: 'answered hungup' }, 20001, 'StatusCallbackEvent'],
    ['Timeout 0', { Timeout: '0' }, 20001, 'Timeout'],
    ['Timeout 601', { Timeout: '601' }, 20001, 'Timeout'],
    ['Timeout not a number', { Timeout: '1e2' }, 20001, 'Timeout'],
    ['Record yes', { Record: 'yes' }, 20001, 'Record'],
    ['To twice', { To: ['+15551234567', '+15551234568'] }, 20001, 'To'],
  ])('%s: 400 naming the parameter, nothing reaches the service', async (_what, change, code, message) => {
    const form: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries({ ...BASE_FORM, ...change })) if (v !== undefined) form[k] = v;
    const res = await api.request('/Calls.json', { form });
    await expectError(res, 400, code, message);
    expect(api.calls.created).toEqual([]);
  });

  test.each([
    ['+44 20 7946 0958', '+442079460958'],
    ['(555) 123.4567', '5551234567'],
    ['1-800-555-0199', '18005550199'],
    ['sips:bob@secure.example.com', 'sips:bob@secure.example.com'],
    ['sip:[2001:db8::1]:5070', 'sip:[2001:db8::1]:5070'],
    ['sip:1000@10.0.0.5;transport=udp', 'sip:1000@10.0.0.5;transport=udp'],
  ])('To %s reaches the service as %s', async (to, expected) => {
    const res = await api.request('/Calls.json', { form: { ...BASE_FORM, To: to } });
    expect(res.status).toBe(201);
    expect(api.calls.created.map((p) => p.to)).toEqual([expected]);
  });

  test('an ApiError of the service is answered with its status, code and message', async () => {
    api.calls.failNextCreate = new ApiError(400, 21215, 'Geographic permission to call +15551234567 is not enabled');
    await expectError(await api.request('/Calls.json', { form: BASE_FORM }), 400, 21215, 'Geographic permission');
  });

  test('any other failure of the service is a 500 that shows nothing of it', async () => {
    api.calls.failNextCreate = new Error('database password is hunter2');
    const res = await api.request('/Calls.json', { form: BASE_FORM });
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text)).toEqual({ code: 20500, message: 'An internal server error has occurred', more_info: 'https://www.twilio.com/docs/errors/20500', status: 500 });
    // and the server still answers
    expect((await api.request('/Calls.json', { form: BASE_FORM })).status).toBe(201);
  });
});

describe('request bodies that are not what the API takes', () => {
  test('a body over bodyLimit gets 413 JSON', async () => {
    const res = await api.request('/Calls.json', { form: { ...BASE_FORM, Twiml: 'x'.repeat(4096), Url: [] } });
    await expectError(res, 413, 20001, '2048 bytes');
    expect(api.calls.created).toEqual([]);
  });

  test('JSON instead of a form gets 415 JSON', async () => {
    const res = await api.request('/Calls.json', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(BASE_FORM) });
    await expectError(res, 415, 20001, 'application/x-www-form-urlencoded');
    expect(api.calls.created).toEqual([]);
  });

  test('a body without a content type gets 415 JSON', async () => {
    const res = await api.request('/Calls.json', { method: 'POST', headers: { 'content-type': '' }, body: 'To=%2B15551234567' });
    await expectError(res, 415, 20001, 'application/x-www-form-urlencoded');
  });

  test('a malformed form body (bad percent-escape) gets 400 JSON', async () => {
    const res = await api.request('/Calls.json', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'To=%2B1555%ZZ1234567&From=%2B15557654321&Url=https%3A%2F%2Fapp.example.com%2F',
    });
    await expectError(res, 400, 20001, 'Malformed form body');
    expect(api.calls.created).toEqual([]);
  });

  test('"__proto__" as a parameter name is only a name', async () => {
    const res = await api.request('/Calls.json', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '__proto__=x&constructor=y&To=%2B15551234567&From=%2B15557654321&Url=https%3A%2F%2Fapp.example.com%2F',
    });
    expect(res.status).toBe(201);
  });

  test('after all of that the server still answers', async () => {
    expect((await api.request('/Calls.json', { form: BASE_FORM })).status).toBe(201);
  });
});
