import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startApi, type ApiHarness } from './api-harness.js';

/** Every line the API's logger wrote, parsed. */
const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as (typeof lines)[number]);
    done();
  },
});

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi({ logger: pino({ level: 'debug' }, sink) });
});
afterAll(() => api.close());

interface ErrorJson {
  code: number;
  message: string;
  status: number;
}

describe('requests the router itself refuses', () => {
  test('a bad percent-escape in the query string is 400 JSON', async () => {
    const res = await api.request('/Calls.json?To=%ZZ');
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorJson).message).toContain('Malformed query string');
    expect(api.calls.listed).toEqual([]);
  });

  test('a bad percent-escape in the path is 400 JSON', async () => {
    const res = await api.request('/Calls/%E0%A4%A.json');
    expect(res.status).toBe(400);
    expect((await res.json()) as ErrorJson).toMatchObject({ code: 20001, status: 400, message: 'The request URL is not valid' });
  });

  test('a sid longer than any sid is refused with JSON', async () => {
    const res = await api.request(`/Calls/${'x'.repeat(300)}.json`);
    expect(res.status).toBe(414);
    expect(((await res.json()) as ErrorJson).status).toBe(414);
  });

  test.each([
    ['PATCH', '/Calls/CA1.json', 'GET, POST, DELETE, HEAD'],
    ['PUT', '/Calls.json', 'GET, POST, HEAD'],
    ['POST', '/Recordings/RE1.json', 'GET, DELETE, HEAD'],
    ['DELETE', '/Recordings/RE1.mp3', 'GET, HEAD'],
    ['POST', '/Recordings.json', 'GET, HEAD'],
  ])('%s %s is 405 with Allow: %s', async (method, path, allow) => {
    const res = await api.request(path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect((await res.json()) as ErrorJson).toMatchObject({ code: 20004, status: 405 });
  });

  test('HEAD of a list answers 200 without a body', async () => {
    const res = await api.request('/Calls.json', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });
});

describe('logs', () => {
  test('each request is one debug line; nothing at info or above for a good request', async () => {
    lines.length = 0;
    const res = await api.request('/Calls.json?PageSize=7');
    expect(res.status).toBe(200);
    // the completion line is written as the response ends, possibly just after the client has it
    await expect.poll(() => lines.filter((l) => l.msg === 'API request').length).toBe(1);
    const line = lines.find((l) => l.msg === 'API request');
    expect(line).toMatchObject({ level: 20, method: 'GET', status: 200 });
    expect(String(line?.url)).toContain('PageSize=7');
    expect(lines.filter((l) => l.level >= 30)).toEqual([]);
  });

  test('an unexpected failure is logged at error with the cause, which the client does not see', async () => {
    lines.length = 0;
    api.calls.failNextCreate = new Error('disk on fire');
    const res = await api.request('/Calls.json', { form: { To: '+15551234567', From: '+15557654321', Url: 'https://app.example.com/voice' } });
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('disk on fire');
    await expect.poll(() => lines.filter((l) => l.level === 50).length).toBe(1);
    const error = lines.find((l) => l.level === 50);
    expect(JSON.stringify(error)).toContain('disk on fire');
  });
});
