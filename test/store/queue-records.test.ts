/**
 * Queue definitions on both stores: one queue per name in an account (two
 * makers of one name at once get one sid), renames that keep names unique,
 * deletion, paging newest first, and records that survive a reopen.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cutPage, type PageKey, type PageRequest } from '../../engine/api/paging.js';
import { newQueueRecord, type QueueRecord } from '../../engine/queues/queue-record.js';
import type { StateStore } from '../../engine/store/types.js';
import { embeddedKind, redisKind, type StoreKind } from './store-kinds.js';

const ACCOUNT = 'AC' + 'c'.repeat(32);
const OTHER = 'AC' + 'd'.repeat(32);
const BASE = Date.now() - 3_600_000;
const key = (q: QueueRecord): PageKey => ({ time: q.dateCreated.getTime(), sid: q.sid });
const at = (ms: number): Date => new Date(BASE + ms);

const kinds: StoreKind[] = [embeddedKind(), redisKind()];
afterAll(async () => {
  for (const kind of kinds) await kind.cleanup();
});

describe.each(kinds)('queue records, $name store', (kind) => {
  const open: StateStore[] = [];
  const store = async (): Promise<StateStore> => {
    const s = await kind.open();
    open.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  it('makes one queue per name in an account: a second maker of the name gets the first one', async () => {
    const s = await store();
    const support = newQueueRecord(ACCOUNT, 'support', 1, at(0));
    expect(await s.queues.create(support)).toEqual(support);
    const again = newQueueRecord(ACCOUNT, 'support', 1000, at(1000));
    expect(await s.queues.create(again)).toEqual(support);
    // Another account's queue of the same name is another queue.
    const theirs = newQueueRecord(OTHER, 'support');
    expect(await s.queues.create(theirs)).toEqual(theirs);
    // Many makers at once (engines of a cluster, calls of one engine): one sid.
    const racers = Array.from({ length: 20 }, () => newQueueRecord(ACCOUNT, 'sales'));
    const made = await Promise.all(racers.map((q) => s.queues.create(q)));
    expect(new Set(made.map((q) => q.sid)).size).toBe(1);
    expect(await s.queues.byName(ACCOUNT, 'sales')).toEqual(made[0]);
    expect(await s.queues.get(ACCOUNT, support.sid)).toEqual(support);
    expect((await s.queues.get(ACCOUNT, support.sid))?.dateCreated).toBeInstanceOf(Date);
    expect(await s.queues.get(OTHER, support.sid)).toBeUndefined();
    expect(await s.queues.byName(ACCOUNT, 'nobody')).toBeUndefined();
  });

  it('renames and resizes a queue, never onto another queue name; deletes it and frees its name', async () => {
    const s = await store();
    const a = await s.queues.create(newQueueRecord(ACCOUNT, 'a', 10, at(0)));
    const b = await s.queues.create(newQueueRecord(ACCOUNT, 'b', 10, at(1)));
    expect(await s.queues.update({ ...a, friendlyName: 'b', dateUpdated: at(5) })).toBe('name-taken');
    expect(await s.queues.get(ACCOUNT, a.sid)).toEqual(a);
    const renamed = { ...a, friendlyName: 'first', maxSize: 5000, dateUpdated: at(6) };
    expect(await s.queues.update(renamed)).toBe('updated');
    expect(await s.queues.get(ACCOUNT, a.sid)).toEqual(renamed);
    expect(await s.queues.byName(ACCOUNT, 'first')).toEqual(renamed);
    // The old name is free again.
    expect(await s.queues.byName(ACCOUNT, 'a')).toBeUndefined();
    const newA = newQueueRecord(ACCOUNT, 'a', 3, at(7));
    expect(await s.queues.create(newA)).toEqual(newA);
    // Keeping its own name is no conflict.
    expect(await s.queues.update({ ...b, maxSize: 2 })).toBe('updated');
    expect(await s.queues.update({ ...newQueueRecord(ACCOUNT, 'ghost'), sid: 'QU' + '0'.repeat(32) })).toBe('missing');

    expect(await s.queues.delete(ACCOUNT, b.sid)).toBe(true);
    expect(await s.queues.delete(ACCOUNT, b.sid)).toBe(false);
    expect(await s.queues.delete(OTHER, a.sid)).toBe(false);
    expect(await s.queues.get(ACCOUNT, b.sid)).toBeUndefined();
    expect(await s.queues.byName(ACCOUNT, 'b')).toBeUndefined();
    const newB = newQueueRecord(ACCOUNT, 'b');
    expect((await s.queues.create(newB)).sid).toBe(newB.sid);
  });

  it('lists an account’s queues newest first, by page number and by token', async () => {
    const s = await store();
    const mine: QueueRecord[] = [];
    for (let i = 0; i < 23; i++) mine.push(await s.queues.create(newQueueRecord(ACCOUNT, `q${i}`, 100, at(Math.floor(i / 3) * 1000))));
    await s.queues.create(newQueueRecord(OTHER, 'elsewhere'));
    const reference = (req: PageRequest) => cutPage(mine, req, key);
    for (const req of [{ pageSize: 50, page: 0 }, { pageSize: 5, page: 0 }, { pageSize: 5, page: 4 }, { pageSize: 7, page: 9 }]) {
      const got = await s.queues.list(ACCOUNT, req);
      const want = reference(req);
      expect({ sids: got.items.map((q) => q.sid), next: got.hasNext, previous: got.hasPrevious }).toEqual({
        sids: want.items.map((q) => q.sid),
        next: want.hasNext,
        previous: want.hasPrevious,
      });
    }
    // Following tokens sees each queue once.
    const seen: string[] = [];
    let req: PageRequest = { pageSize: 4, page: 0 };
    for (;;) {
      const page = await s.queues.list(ACCOUNT, req);
      seen.push(...page.items.map((q) => q.sid));
      const last = page.items.at(-1);
      if (!page.hasNext || !last) break;
      req = { pageSize: 4, page: req.page + 1, token: { direction: 'after', key: key(last) } };
    }
    expect(seen).toEqual(reference({ pageSize: 1000, page: 0 }).items.map((q) => q.sid));
  });

  it('keeps queues across a reopen, as after a restart', async () => {
    const s = await kind.open();
    const q = await s.queues.create(newQueueRecord(ACCOUNT, 'after-restart', 7, at(0)));
    const renamed = { ...q, friendlyName: 'renamed', dateUpdated: at(1000) };
    await s.queues.update(renamed);
    await s.close();
    const again = await kind.reopen(s);
    open.push(again);
    expect(await again.queues.get(ACCOUNT, q.sid)).toEqual(renamed);
    expect(await again.queues.byName(ACCOUNT, 'renamed')).toEqual(renamed);
    expect((await again.queues.list(ACCOUNT, { pageSize: 50, page: 0 })).items).toEqual([renamed]);
  });
});
