import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import type { PageMeta } from '../../engine/api/paging.js';
import { startApi, type ApiHarness } from './api-harness.js';
import { ACCOUNT } from './in-memory-services.js';

interface CallList extends PageMeta {
  calls: { sid: string; to: string; status: string }[];
}

let api: ApiHarness | undefined;
afterAll(() => api?.close());
beforeEach(async () => {
  await api?.close();
  api = await startApi();
});

function harness(): ApiHarness {
  if (!api) throw new Error('no API');
  return api;
}

async function list(pathAndQuery: string): Promise<CallList> {
  const res = await harness().request(pathAndQuery);
  expect(res.status).toBe(200);
  return (await res.json()) as CallList;
}

const CALLS = `/2010-04-01/Accounts/${ACCOUNT}/Calls.json`;
const at = (iso: string): Date => new Date(iso);

/** Five calls a minute apart, created in this order; the list is newest first. */
function addFive(): string[] {
  const sids: string[] = [];
  for (let i = 0; i < 5; i++) sids.push(harness().calls.add({ dateCreated: at(`2024-03-0${i + 1}T10:00:00Z`), to: `+1555000000${i}` }).sid);
  return sids.reverse();
}

describe('GET /Calls.json paging', () => {
  test('three pages of PageSize=2 through next_page_uri give every call once, with the paging fields', async () => {
    const newestFirst = addFive();
    const first = await list('/Calls.json?PageSize=2');
    expect(first).toMatchObject({ page: 0, page_size: 2, start: 0, end: 1, previous_page_uri: null });
    expect(first.uri).toBe(`${CALLS}?PageSize=2&Page=0`);
    expect(first.first_page_uri).toBe(`${CALLS}?PageSize=2&Page=0`);
    expect(first.next_page_uri).toMatch(new RegExp(`^${CALLS}\\?PageSize=2&Page=1&PageToken=PA`));

    const second = await list(first.next_page_uri as string);
    expect(second).toMatchObject({ page: 1, page_size: 2, start: 2, end: 3 });
    expect(second.uri).toBe(first.next_page_uri);
    expect(second.previous_page_uri).toMatch(new RegExp(`^${CALLS}\\?PageSize=2&Page=0&PageToken=PB`));

    const third = await list(second.next_page_uri as string);
    expect(third).toMatchObject({ page: 2, page_size: 2, start: 4, end: 4, next_page_uri: null });

    const seen = [...first.calls, ...second.calls, ...third.calls].map((c) => c.sid);
    expect(seen).toEqual(newestFirst);

    const back = await list(third.previous_page_uri as string);
    expect(back.calls.map((c) => c.sid)).toEqual(second.calls.map((c) => c.sid));
    expect(back.page).toBe(1);
  });

  test('a call created between two pages does not make the next page repeat one', async () => {
    const newestFirst = addFive();
    const first = await list('/Calls.json?PageSize=2');
    const newer = harness().calls.add({ dateCreated: at('2024-04-01T00:00:00Z') });
    const second = await list(first.next_page_uri as string);
    const third = await list(second.next_page_uri as string);
    const seen = [...first.calls, ...second.calls, ...third.calls].map((c) => c.sid);
    expect(seen).toEqual(newestFirst);
    expect(seen).not.toContain(newer.sid);
    expect(third.next_page_uri).toBeNull();
  });

  test('calls created in the same millisecond are ordered by sid and none is lost across pages', async () => {
    const when = at('2024-05-05T05:05:05Z');
    const sids = Array.from({ length: 7 }, () => harness().calls.add({ dateCreated: when }).sid);
    const seen: string[] = [];
    let next: string | null = '/Calls.json?PageSize=3';
    let pages = 0;
    while (next !== null) {
      const page: CallList = await list(next);
      seen.push(...page.calls.map((c) => c.sid));
      next = page.next_page_uri;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...sids].sort().reverse());
  });

  test('Page without a token is an offset; past the end is an empty page', async () => {
    const newestFirst = addFive();
    expect((await list('/Calls.json?PageSize=2&Page=1')).calls.map((c) => c.sid)).toEqual(newestFirst.slice(2, 4));
    const beyond = await list('/Calls.json?PageSize=2&Page=9');
    expect(beyond.calls).toEqual([]);
    expect(beyond.next_page_uri).toBeNull();
  });

  test('the default page size is 50', async () => {
    for (let i = 0; i < 51; i++) harness().calls.add({ dateCreated: new Date(Date.UTC(2024, 0, 1, 0, 0, i)) });
    const page = await list('/Calls.json');
    expect(page.page_size).toBe(50);
    expect(page.calls.length).toBe(50);
    expect(page.next_page_uri).not.toBeNull();
  });

  test.each(['PageSize=0', 'PageSize=1001', 'PageSize=ten', 'Page=-1', 'PageToken=PAnonsense', 'PageToken=XYZ'])('%s is 400', async (query) => {
    const res = await harness().request(`/Calls.json?${query}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: number; message: string };
    expect(body.code).toBe(20001);
    expect(body.message).toContain(query.split('=')[0]);
  });
});

describe('GET /Calls.json filters', () => {
  test('To, From, Status and ParentCallSid reach the service and select the calls', async () => {
    const parent = harness().calls.add({ dateCreated: at('2024-01-01T00:00:00Z') });
    const match = harness().calls.add({ to: '+15551112222', from: 'sip:me@example.com', status: 'ringing', parentCallSid: parent.sid });
    harness().calls.add({ to: '+15551112222', from: 'sip:me@example.com', status: 'completed', parentCallSid: parent.sid });
    harness().calls.add({ to: '+15551112222', status: 'ringing' });
    const q = new URLSearchParams({ To: '+1 555 111 2222', From: 'sip:me@example.com', Status: 'ringing', ParentCallSid: parent.sid });
    const page = await list(`/Calls.json?${q.toString()}`);
    expect(page.calls.map((c) => c.sid)).toEqual([match.sid]);
    expect(harness().calls.listed.at(-1)).toEqual({
      accountSid: ACCOUNT,
      filter: { to: '+15551112222', from: 'sip:me@example.com', status: 'ringing', parentCallSid: parent.sid },
    });
  });

  test('StartTime=YYYY-MM-DD is that UTC day; StartTime< and StartTime> are on or before / on or after', async () => {
    const day = (d: string, sid: string): void => void harness().calls.add({ sid, startTime: at(d), dateCreated: at(d) });
    day('2024-06-09T23:59:59Z', 'CA9');
    day('2024-06-10T00:00:00Z', 'CA10a');
    day('2024-06-10T23:59:59Z', 'CA10b');
    day('2024-06-11T00:00:00Z', 'CA11');
    const sids = async (query: string): Promise<string[]> => (await list(`/Calls.json?${query}`)).calls.map((c) => c.sid);
    expect(await sids('StartTime=2024-06-10')).toEqual(['CA10b', 'CA10a']);
    expect(harness().calls.listed.at(-1)?.filter).toEqual({ startedAfter: at('2024-06-10T00:00:00Z'), startedBefore: at('2024-06-11T00:00:00Z') });
    expect(await sids('StartTime%3C=2024-06-10')).toEqual(['CA10b', 'CA10a', 'CA9']);
    expect(await sids('StartTime%3E=2024-06-10')).toEqual(['CA11', 'CA10b', 'CA10a']);
    expect(await sids('StartTime%3E=2024-06-10&StartTime%3C=2024-06-10')).toEqual(['CA10b', 'CA10a']);
    // a date-time (what the twilio library sends) bounds at the instant, inclusive
    expect(await sids('StartTime%3C=2024-06-10T00:00:00Z')).toEqual(['CA10a', 'CA9']);
    expect(await sids('StartTime%3E=2024-06-10T23:59:59Z')).toEqual(['CA11', 'CA10b']);
  });

  test('EndTime, EndTime< and EndTime> bound when the call ended; a call not ended matches none of them', async () => {
    const ended = (d: string | undefined, sid: string): void =>
      void harness().calls.add({ sid, dateCreated: at('2024-06-01T00:00:00Z'), status: d ? 'completed' : 'in-progress', ...(d ? { endTime: at(d) } : {}) });
    ended('2024-06-09T23:59:59Z', 'CA9');
    ended('2024-06-10T00:00:00Z', 'CA10a');
    ended('2024-06-10T23:59:59Z', 'CA10b');
    ended('2024-06-11T00:00:00Z', 'CA11');
    ended(undefined, 'CAlive');
    const sids = async (query: string): Promise<string[]> => (await list(`/Calls.json?${query}`)).calls.map((c) => c.sid).sort();
    expect(await sids('EndTime=2024-06-10')).toEqual(['CA10a', 'CA10b']);
    expect(harness().calls.listed.at(-1)?.filter).toEqual({ endedAfter: at('2024-06-10T00:00:00Z'), endedBefore: at('2024-06-11T00:00:00Z') });
    expect(await sids('EndTime%3C=2024-06-10')).toEqual(['CA10a', 'CA10b', 'CA9']);
    expect(await sids('EndTime%3E=2024-06-10T23:59:59Z')).toEqual(['CA10b', 'CA11']);
    expect(await sids('EndTime%3E=2024-06-10&StartTime%3C=2024-06-01')).toEqual(['CA10a', 'CA10b', 'CA11']);
    const paged = await list('/Calls.json?EndTime%3E=2024-06-10&PageSize=1');
    expect(paged.next_page_uri).toMatch(/^[^?]+\?EndTime%3E=2024-06-10&PageSize=1&Page=1&PageToken=/);
  });

  test('the filters are carried into next_page_uri', async () => {
    for (let i = 0; i < 3; i++) harness().calls.add({ to: '+15553334444', status: 'completed', startTime: at(`2024-02-0${i + 1}T12:00:00Z`), dateCreated: at(`2024-02-0${i + 1}T12:00:00Z`) });
    harness().calls.add({ to: '+15553334444', status: 'busy' });
    const first = await list('/Calls.json?To=%2B15553334444&Status=completed&StartTime%3E=2024-01-01&PageSize=2');
    expect(first.next_page_uri).toMatch(/^[^?]+\?To=%2B15553334444&Status=completed&StartTime%3E=2024-01-01&PageSize=2&Page=1&PageToken=/);
    const second = await list(first.next_page_uri as string);
    expect([...first.calls, ...second.calls].map((c) => c.status)).toEqual(['completed', 'completed', 'completed']);
  });

  test.each([
    ['Status=talking', 'Status'],
    ['StartTime=2024-13-01', 'StartTime'],
    ['StartTime=2024-02-30', 'StartTime'],
    ['StartTime%3C=yesterday', 'StartTime<'],
    ['EndTime=2024-13-01', 'EndTime'],
    ['EndTime%3C=yesterday', 'EndTime<'],
    ['To=1&To=2', 'To'],
  ])('%s is 400 naming %s', async (query, name) => {
    const res = await harness().request(`/Calls.json?${query}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain(name);
  });
});
