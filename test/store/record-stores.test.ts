import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { StoreOptionsSchema } from '../../config/store-options.js';
import { silentLogger } from '../../engine/logger.js';
import { EmbeddedStore, STATE_FILE } from '../../engine/store/embedded/embedded-store.js';
import type { CallFilter, RecordingRecord } from '../../engine/api/call-service.js';
import { cutPage, type Page, type PageKey, type PageRequest } from '../../engine/api/paging.js';
import type { CallStatus } from '../../engine/calls/call-status.js';
import type { ConferenceFilter, ConferenceRecord } from '../../engine/conferences/conference-record.js';
import { callMatches } from '../../engine/store/record-codec.js';
import type { StateStore, StoredCall } from '../../engine/store/types.js';
import { waitUntil } from '../support/ports.js';
import { prng } from '../support/prng.js';
import { startRedis } from '../support/redis-server.js';
import { embeddedKind, redisKind, redisStoreAt, type StoreKind } from './store-kinds.js';

const ACCOUNT = 'AC' + 'a'.repeat(32);
const OTHER = 'AC' + 'b'.repeat(32);
let n = 0;
const sid = (prefix: string): string => prefix + (++n).toString(16).padStart(32, '0');

function call(fields: Partial<StoredCall> = {}): StoredCall {
  const created = fields.dateCreated ?? new Date(BASE);
  return {
    sid: sid('CA'),
    accountSid: ACCOUNT,
    from: '+15550001111',
    to: '+15550002222',
    status: 'in-progress',
    direction: 'inbound',
    dateCreated: created,
    dateUpdated: created,
    startTime: created,
    applicationId: 'menu',
    engineId: 'engine-a',
    ...fields,
  };
}

function recording(fields: Partial<RecordingRecord> = {}): RecordingRecord {
  const created = fields.dateCreated ?? new Date(BASE);
  return {
    sid: sid('RE'),
    accountSid: ACCOUNT,
    callSid: 'CA' + '1'.repeat(32),
    dateCreated: created,
    dateUpdated: created,
    startTime: new Date(created.getTime() - 3000),
    durationSeconds: 3,
    channels: 1,
    source: 'RecordVerb',
    status: 'completed',
    mediaUrl: 'http://127.0.0.1:8089/recordings/x',
    ...fields,
  };
}

const key = (c: { dateCreated: Date; sid: string }): PageKey => ({ time: c.dateCreated.getTime(), sid: c.sid });
/** Instants of the tests' records: recent, so that no retention applies. */
const BASE = Date.now() - 3_600_000;
const sids = <T extends { sid: string }>(page: Page<T>): string[] => page.items.map((c) => c.sid);

/** Follows next_page_uri's tokens from the first page to the last, then previous tokens back. */
async function walk(list: (req: PageRequest) => Promise<Page<StoredCall>>, pageSize: number): Promise<{ forward: string[][]; back: string[][] }> {
  const forward: string[][] = [];
  const pages: Page<StoredCall>[] = [];
  let req: PageRequest = { pageSize, page: 0 };
  for (;;) {
    const page = await list(req);
    pages.push(page);
    forward.push(sids(page));
    const last = page.items[page.items.length - 1];
    if (!page.hasNext || !last) break;
    req = { pageSize, page: req.page + 1, token: { direction: 'after', key: key(last) } };
  }
  const back: string[][] = [];
  for (let i = pages.length - 1; i > 0; i--) {
    const first = (pages[i] as Page<StoredCall>).items[0] as StoredCall;
    back.unshift(sids(await list({ pageSize, page: i - 1, token: { direction: 'before', key: key(first) } })));
  }
  return { forward, back };
}

const kinds: StoreKind[] = [embeddedKind(), redisKind()];
afterAll(async () => {
  for (const kind of kinds) await kind.cleanup();
});

describe.each(kinds)('$name store', (kind) => {
  const open: StateStore[] = [];
  const store = async (opts = {}): Promise<StateStore> => {
    const s = await kind.open(opts);
    open.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  it('reads back what it was given, dates as dates, the latest write of a call winning', async () => {
    const s = await store();
    const c = call({ status: 'ringing', parentCallSid: 'CA' + 'f'.repeat(32), callerName: 'Ann' });
    s.calls.put(c);
    const answered = { ...c, status: 'in-progress' as CallStatus, answerTime: new Date(c.dateCreated.getTime() + 2000) };
    s.calls.put(answered);
    expect(await s.calls.get(c.sid)).toEqual(answered);
    expect((await s.calls.get(c.sid))?.answerTime).toBeInstanceOf(Date);
    expect(await s.calls.get('CA' + '9'.repeat(32))).toBeUndefined();
    const r = recording();
    s.recordings.put(r);
    expect(await s.recordings.get(r.sid)).toEqual(r);
  });

  it('pages as the REST API pages a whole list: numbers, tokens both ways, filters, ties in one millisecond', async () => {
    const s = await store();
    const rand = prng(7);
    const statuses: CallStatus[] = ['in-progress', 'completed', 'busy'];
    const all: StoredCall[] = [];
    for (let i = 0; i < 83; i++) {
      const c = call({
        accountSid: i % 9 === 0 ? OTHER : ACCOUNT,
        // Few distinct instants, so that many calls share one.
        dateCreated: new Date(BASE + Math.floor(rand() * 20) * 1000),
        to: rand() < 0.5 ? '+15550000001' : '+15550000002',
        status: statuses[Math.floor(rand() * statuses.length)] as CallStatus,
      });
      all.push(c);
      s.calls.put(c);
    }
    const filters: CallFilter[] = [{}, { to: '+15550000001' }, { status: 'busy' }, { startedAfter: new Date(BASE + 5000), startedBefore: new Date(BASE + 15_000) }];
    for (const filter of filters) {
      const expected = all.filter((c) => callMatches(c, ACCOUNT, filter));
      for (const pageSize of [1, 7, 50]) {
        const list = (req: PageRequest) => s.calls.list(ACCOUNT, filter, req);
        const reference = (req: PageRequest) => cutPage(expected, req, key);
        const { forward, back } = await walk(list, pageSize);
        expect(forward.flat()).toEqual(reference({ pageSize: 1000, page: 0 }).items.map((c) => c.sid));
        expect(back).toEqual(forward.slice(0, -1));
        for (const page of [0, 1, 3]) {
          const req = { pageSize, page };
          const got = await list(req);
          const want = reference(req);
          expect({ items: sids(got), hasNext: got.hasNext, hasPrevious: got.hasPrevious }).toEqual({ items: want.items.map((c) => c.sid), hasNext: want.hasNext, hasPrevious: want.hasPrevious });
        }
      }
    }
  });

  it('lists recordings of one call, newest first', async () => {
    const s = await store();
    const callSid = 'CA' + '2'.repeat(32);
    const mine = [0, 1, 2].map((i) => recording({ callSid, dateCreated: new Date(BASE + i * 1000) }));
    for (const r of [...mine, recording()]) s.recordings.put(r);
    const page = await s.recordings.list(ACCOUNT, { callSid }, { pageSize: 2, page: 0 });
    expect(sids(page)).toEqual([mine[2]?.sid, mine[1]?.sid]);
    expect(page.hasNext).toBe(true);
    expect((await s.recordings.list(OTHER, {}, { pageSize: 50, page: 0 })).items).toEqual([]);
  });

  it('keeps conferences: the latest state wins; lists filter by status, name and update time, newest first', async () => {
    const s = await store();
    const conf = (fields: Partial<ConferenceRecord>): ConferenceRecord => ({
      sid: sid('CF'),
      accountSid: ACCOUNT,
      friendlyName: 'Room',
      status: 'in-progress',
      dateCreated: new Date(BASE),
      dateUpdated: new Date(BASE),
      region: 'us1',
      engineId: 'engine-a',
      ...fields,
    });
    const first = conf({ friendlyName: 'Sales', status: 'init' });
    const second = conf({ friendlyName: 'Sales', dateCreated: new Date(BASE + 1000), dateUpdated: new Date(BASE + 1000) });
    const support = conf({ friendlyName: 'Support', dateCreated: new Date(BASE + 2000), dateUpdated: new Date(BASE + 2000) });
    const otherAccount = conf({ accountSid: OTHER });
    for (const c of [first, second, support, otherAccount]) s.conferences.put(c);
    const ended = { ...first, status: 'completed' as const, dateUpdated: new Date(BASE + 5000), reasonConferenceEnded: 'last-participant-left' as const, callSidEndingConference: 'CA' + '3'.repeat(32) };
    s.conferences.put(ended);
    expect(await s.conferences.get(first.sid)).toEqual(ended);
    const list = async (filter: ConferenceFilter): Promise<string[]> => sids(await s.conferences.list(ACCOUNT, filter, { pageSize: 50, page: 0 }));
    expect(await list({})).toEqual([support.sid, second.sid, first.sid]);
    expect(await list({ friendlyName: 'Sales' })).toEqual([second.sid, first.sid]);
    expect(await list({ status: 'completed' })).toEqual([first.sid]);
    expect(await list({ status: 'in-progress', friendlyName: 'Sales' })).toEqual([second.sid]);
    expect(await list({ updatedAfter: new Date(BASE + 1500) })).toEqual([support.sid, first.sid]);
    expect(await list({ createdBefore: new Date(BASE + 1000) })).toEqual([first.sid]);
    // The conferences an engine holds that have not ended (to end them after a restart or its loss).
    const elsewhere = conf({ engineId: 'engine-b' });
    s.conferences.put(elsewhere);
    expect((await s.conferences.unfinished('engine-a')).map((c) => c.sid).sort()).toEqual([second.sid, support.sid, otherAccount.sid].sort());
    expect((await s.conferences.unfinished('engine-b')).map((c) => c.sid)).toEqual([elsewhere.sid]);
    s.conferences.put({ ...elsewhere, status: 'completed', dateUpdated: new Date(BASE + 9000) });
    expect(await s.conferences.unfinished('engine-b')).toEqual([]);
  });

  it('knows the calls an engine has not finished', async () => {
    const s = await store();
    const a = call({ engineId: 'engine-a' });
    const b = call({ engineId: 'engine-b', status: 'ringing' });
    const done = call({ engineId: 'engine-a', status: 'completed', endTime: new Date() });
    for (const c of [a, b, done]) s.calls.put(c);
    expect((await s.calls.unfinished('engine-a')).map((c) => c.sid)).toEqual([a.sid]);
    expect((await s.calls.unfinished()).map((c) => c.sid).sort()).toEqual([a.sid, b.sid].sort());
    s.calls.put({ ...a, status: 'completed', endTime: new Date() });
    expect(await s.calls.unfinished('engine-a')).toEqual([]);
  });

  it('a lease has one holder at a time until it lapses or is released', async () => {
    const s = await store();
    expect(await s.leases.acquire('engine:a', 'a', 150)).toBe(true);
    expect(await s.leases.acquire('engine:a', 'b', 150)).toBe(false);
    expect(await s.leases.holder('engine:a')).toBe('a');
    expect(await s.leases.acquire('engine:a', 'a', 150)).toBe(true);
    await s.leases.release('engine:a', 'b');
    expect(await s.leases.holder('engine:a')).toBe('a');
    await waitUntil(async () => (await s.leases.holder('engine:a')) === undefined, 2000, 'the lease to lapse');
    expect(await s.leases.acquire('engine:a', 'b', 5000)).toBe(true);
    await s.leases.release('engine:a', 'b');
    expect(await s.leases.holder('engine:a')).toBeUndefined();
  });

  it('counters add up increments made at once', async () => {
    const s = await store();
    const results = await Promise.all(Array.from({ length: 100 }, () => s.counters.increment('calls')));
    expect(new Set(results).size).toBe(100);
    expect(await s.counters.get('calls')).toBe(100);
    expect(await s.counters.increment('minutes', 7)).toBe(7);
    expect(await s.counters.get('never')).toBe(0);
  });

  it('keeps registrations by user, and one secret per name', async () => {
    const s = await store();
    const binding = {
      username: 'alice',
      contactUri: 'sip:alice@192.0.2.10:5060',
      source: { protocol: 'udp' as const, address: '127.0.0.1', port: 5062 },
      expiresAt: Date.now() + 60_000,
      callId: 'reg-1',
      cseq: 2,
    };
    s.registrations.put('alice', [binding]);
    s.registrations.put('bob', [{ ...binding, username: 'bob' }]);
    s.registrations.put('bob', []);
    expect(await s.registrations.get('alice')).toEqual([binding]);
    expect([...(await s.registrations.all()).keys()]).toEqual(['alice']);
    const secret = await s.secrets.get('digest-nonce');
    expect(secret.length).toBe(32);
    expect(await s.secrets.get('digest-nonce')).toEqual(secret);
    expect(await s.secrets.get('other')).not.toEqual(secret);
  });

  it('keeps every write when closed at once, and reads it after reopening', async () => {
    const s = await kind.open();
    const calls = Array.from({ length: 200 }, (_, i) => call({ dateCreated: new Date(BASE + i), status: 'completed', endTime: new Date() }));
    for (const c of calls) s.calls.put(c);
    await s.close();
    const again = await kind.reopen(s);
    open.push(again);
    const page = await again.calls.list(ACCOUNT, {}, { pageSize: 1000, page: 0 });
    expect(page.items.length).toBe(200);
    expect(await again.calls.get(calls[17]?.sid as string)).toEqual(calls[17]);
  });
});

describe('a cluster on one Redis', () => {
  it('shares nonce-counts: a count used through one engine is a replay through another', async () => {
    const kind = kinds[1] as ReturnType<typeof redisKind>;
    const one = await kind.open();
    const two = await kind.reopen(one);
    const expires = Date.now() + 60_000;
    expect(await one.nonceCounts.use('n1', Date.now(), 1, expires)).toBe('fresh');
    expect(await two.nonceCounts.use('n1', Date.now(), 1, expires)).toBe('replay');
    expect(await two.nonceCounts.use('n1', Date.now(), 2, expires)).toBe('fresh');
    expect(await one.nonceCounts.use('n1', Date.now(), 2, expires)).toBe('replay');
    expect(await one.secrets.get('digest-nonce')).toEqual(await two.secrets.get('digest-nonce'));
    await Promise.all([one.close(), two.close()]);
  });
});

describe('Redis not there yet', () => {
  it('ready() waits for it, and the writes made meanwhile are applied once it is up', async () => {
    const redis = await startRedis();
    await redis.kill();
    const store = redisStoreAt(redis.url, 'late');
    const c = call({ status: 'completed', endTime: new Date() });
    store.calls.put(c);
    let ready = false;
    const waiting = store.ready().then(() => (ready = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(ready).toBe(false);
    await redis.restart();
    await waiting;
    expect(await store.calls.get(c.sid)).toEqual(c);
    await store.close();
    await redis.stop();
  });
});

describe('retention', () => {
  it('the embedded store deletes ended calls past the count and the age, never running ones', async () => {
    const kind = kinds[0] as StoreKind;
    const s = await kind.open({ retention: { calls: 3, days: 1, recordings: 2 } });
    const now = Date.now();
    const old = call({ dateCreated: new Date(now - 3 * 86_400_000), status: 'completed' });
    const running = call({ dateCreated: new Date(now - 5 * 86_400_000) });
    const recent = [1, 2, 3, 4].map((i) => call({ dateCreated: new Date(now - i * 1000), status: 'completed' }));
    for (const c of [old, running, ...recent]) s.calls.put(c);
    for (let i = 0; i < 4; i++) s.recordings.put(recording({ dateCreated: new Date(now - i * 1000) }));
    const embedded = s as unknown as { prune(now?: number): number };
    expect(embedded.prune(now)).toBe(1 + 1 + 2);
    const left = (await s.calls.list(ACCOUNT, {}, { pageSize: 50, page: 0 })).items.map((c) => c.sid);
    expect(left).toEqual([recent[0]?.sid, recent[1]?.sid, recent[2]?.sid, running.sid]);
    expect((await s.recordings.list(ACCOUNT, {}, { pageSize: 50, page: 0 })).items.length).toBe(2);
    await s.close();
  });
});

describe('the embedded store file', () => {
  it('has its write-ahead log copied into the database off the event loop, and none left once closed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dialtone-wal-'));
    const s = new EmbeddedStore(dir, StoreOptionsSchema.parse({}), silentLogger());
    const file = join(dir, STATE_FILE);
    const before = statSync(file).size;
    for (let i = 0; i < 2000; i++) s.calls.put(call({ status: 'completed', endTime: new Date() }));
    await s.flush();
    // The engine's own connection never checkpoints: the database file grows only through the worker's.
    await waitUntil(() => statSync(file).size > before, 10_000, 'a checkpoint into the database file');
    await s.close();
    expect(existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });
});
