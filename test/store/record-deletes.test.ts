/**
 * Deleting call and recording records (the REST API's DELETE), and the
 * EndTime filters of the Calls list, on every store: the embedded one in a
 * file and in memory, and Redis.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { StoreOptionsSchema } from '../../config/store-options.js';
import type { CallFilter, RecordingRecord } from '../../engine/api/call-service.js';
import { silentLogger } from '../../engine/logger.js';
import { EmbeddedStore } from '../../engine/store/embedded/embedded-store.js';
import type { StateStore, StoredCall } from '../../engine/store/types.js';
import { embeddedKind, redisKind, type StoreKind } from './store-kinds.js';

const ACCOUNT = 'AC' + 'c'.repeat(32);
const BASE = Date.now() - 3_600_000;
let n = 0;
const sid = (prefix: string): string => prefix + (++n).toString(16).padStart(32, 'd');

function call(fields: Partial<StoredCall> = {}): StoredCall {
  const created = new Date(BASE);
  return {
    sid: sid('CA'),
    accountSid: ACCOUNT,
    from: '+15550001111',
    to: '+15550002222',
    status: 'completed',
    direction: 'outbound-api',
    dateCreated: created,
    dateUpdated: created,
    startTime: created,
    endTime: new Date(BASE + 60_000),
    applicationId: 'api',
    engineId: 'engine-a',
    ...fields,
  };
}

function recording(fields: Partial<RecordingRecord> = {}): RecordingRecord {
  const created = new Date(BASE);
  return {
    sid: sid('RE'),
    accountSid: ACCOUNT,
    callSid: 'CA' + '1'.repeat(32),
    dateCreated: created,
    dateUpdated: created,
    startTime: created,
    durationSeconds: 3,
    channels: 1,
    source: 'RecordVerb',
    status: 'completed',
    mediaUrl: 'http://127.0.0.1:8089/recordings/x',
    ...fields,
  };
}

/** The embedded store with its database in memory (dataDir ':memory:'). */
function memoryKind(): StoreKind {
  return {
    name: 'embedded',
    open: async (options = {}) => new EmbeddedStore(':memory:', StoreOptionsSchema.parse(options), silentLogger()),
    reopen: () => Promise.reject(new Error('a store in memory cannot be opened again')),
    cleanup: async () => undefined,
  };
}

const kinds: { label: string; kind: StoreKind }[] = [
  { label: 'embedded (file)', kind: embeddedKind() },
  { label: 'embedded (memory)', kind: memoryKind() },
  { label: 'redis', kind: redisKind() },
];
afterAll(async () => {
  for (const { kind } of kinds) await kind.cleanup();
});

describe.each(kinds)('$label store', ({ kind }) => {
  const open: StateStore[] = [];
  const store = async (): Promise<StateStore> => {
    const s = await kind.open();
    open.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  const listed = async (s: StateStore, filter: CallFilter = {}): Promise<string[]> => (await s.calls.list(ACCOUNT, filter, { pageSize: 50, page: 0 })).items.map((c) => c.sid);

  it('deletes a call record just written: gone from get, the list and the unfinished calls; a second delete finds nothing', async () => {
    const s = await store();
    const keep = call();
    const gone = call({ dateCreated: new Date(BASE + 1000) });
    const running = call({ status: 'in-progress', endTime: undefined, dateCreated: new Date(BASE + 2000) });
    for (const c of [keep, gone, running]) s.calls.put(c);
    // The write may still be queued (embedded) or pipelined (Redis): the delete comes after it.
    expect(await s.calls.delete(gone.sid)).toBe(true);
    expect(await s.calls.get(gone.sid)).toBeUndefined();
    expect(await listed(s)).toEqual([running.sid, keep.sid]);
    expect(await s.calls.delete(gone.sid)).toBe(false);
    expect(await s.calls.delete('CA' + '0'.repeat(32))).toBe(false);
    expect(await s.calls.delete(running.sid)).toBe(true);
    expect(await s.calls.unfinished('engine-a')).toEqual([]);
    expect(await s.calls.get(keep.sid)).toEqual(keep);
  });

  it('deletes a recording record: gone from get and the list', async () => {
    const s = await store();
    const keep = recording();
    const gone = recording({ dateCreated: new Date(BASE + 1000) });
    s.recordings.put(keep);
    s.recordings.put(gone);
    expect(await s.recordings.delete(gone.sid)).toBe(true);
    expect(await s.recordings.get(gone.sid)).toBeUndefined();
    expect((await s.recordings.list(ACCOUNT, {}, { pageSize: 50, page: 0 })).items.map((r) => r.sid)).toEqual([keep.sid]);
    expect(await s.recordings.delete(gone.sid)).toBe(false);
  });

  it('lists by EndTime: on or after, before, both; a call not ended matches neither', async () => {
    const s = await store();
    const at = (ms: number): Date => new Date(BASE + ms);
    const early = call({ dateCreated: at(0), endTime: at(10_000) });
    const middle = call({ dateCreated: at(1000), endTime: at(20_000) });
    const late = call({ dateCreated: at(2000), endTime: at(30_000) });
    const running = call({ dateCreated: at(3000), status: 'in-progress', endTime: undefined });
    for (const c of [early, middle, late, running]) s.calls.put(c);
    expect(await listed(s, { endedAfter: at(20_000) })).toEqual([late.sid, middle.sid]);
    expect(await listed(s, { endedBefore: at(20_000) })).toEqual([early.sid]);
    expect(await listed(s, { endedAfter: at(15_000), endedBefore: at(25_000) })).toEqual([middle.sid]);
    expect(await listed(s, { endedAfter: at(0), startedAfter: at(1000) })).toEqual([late.sid, middle.sid]);
    expect(await listed(s)).toEqual([running.sid, late.sid, middle.sid, early.sid]);
  });
});
