/**
 * Randomized bad requests: whatever arrives, the API answers with its error
 * JSON (never a 5xx, never a dropped connection) and keeps serving.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { prng } from '../support/prng.js';
import { startApi, type ApiHarness } from './api-harness.js';

const SEED = Number(process.env.DIALTONE_TEST_SEED ?? 20240917);
let api: ApiHarness;

beforeAll(async () => {
  api = await startApi({ bodyLimit: 4096 });
  api.calls.add();
});
afterAll(() => api.close());

const PIECES = ['To', 'From', 'Url', 'Twiml', 'Status', 'Timeout', 'StatusCallbackEvent', 'PageSize', 'PageToken', 'StartTime<', '%', '%zz', '%E0%A4', '&', '=', '+', '__proto__', 'constructor', '[]', '\u0000', 'sip:', 'http://', '\u00e9', 'PA', '-1', '9'.repeat(30)];
const PATHS = ['/Calls.json', '/Calls/CA1.json', '/Recordings.json', '/Recordings/RE1.wav', '/Calls/CA1/Recordings.json', '/Calls/%ZZ.json', '/Calls/..%2F..%2Fetc.json'];

test(`random bodies and queries get a 4xx JSON answer (seed ${SEED})`, async () => {
  const random = prng(SEED);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const junk = (): string => Array.from({ length: 1 + Math.floor(random() * 12) }, () => pick(PIECES)).join('');
  const statuses = new Map<number, number>();
  for (let i = 0; i < 300; i++) {
    const path = pick(PATHS);
    const post = random() < 0.6;
    const res = await api.request(post ? path : `${path}?${junk()}`, {
      method: post ? 'POST' : 'GET',
      headers: { 'content-type': pick(['application/x-www-form-urlencoded', 'application/json', 'text/plain', 'application/x-www-form-urlencoded; charset=utf-8']) },
      ...(post ? { body: random() < 0.05 ? 'x'.repeat(5000) : junk() } : {}),
    });
    const text = await res.text();
    if (res.status >= 500 || (res.status >= 300 && !res.headers.get('content-type')?.startsWith('application/json'))) {
      throw new Error(`request ${i} ${post ? 'POST' : 'GET'} ${path} answered ${res.status}: ${text.slice(0, 200)}`);
    }
    if (res.status >= 400) expect(JSON.parse(text)).toMatchObject({ status: res.status });
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  }
  // the mix really exercised the error paths
  expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(3);
  expect((await api.request('/Calls.json')).status).toBe(200);
});
