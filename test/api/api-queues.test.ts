/**
 * The Queues resource through the official twilio library: create (MaxSize,
 * Twilio's default 1000), list newest first over pages, fetch, update,
 * delete; Twilio's errors (400 naming the parameter, 404 for unknown queues
 * and members). Live members are the router tests' (test/router/queue-api.test.ts).
 */
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { StoreOptionsSchema } from '../../config/store-options.js';
import { silentLogger } from '../../engine/logger.js';
import { QueueApi } from '../../engine/queues/queue-api.js';
import { QueueService } from '../../engine/queues/queue-service.js';
import { EmbeddedStore } from '../../engine/store/embedded/embedded-store.js';
import { twilioClientFor, type RewritingRequestClient } from '../support/twilio-client.js';
import { AUTH_TOKEN, OTHER_AUTH_TOKEN, startApi, type ApiHarness } from './api-harness.js';
import { ACCOUNT, OTHER_ACCOUNT } from './in-memory-services.js';

let api: ApiHarness;
let store: EmbeddedStore;
let client: twilio.Twilio;
let http: RewritingRequestClient;

beforeAll(async () => {
  store = new EmbeddedStore(':memory:', StoreOptionsSchema.parse({}), silentLogger());
  const live = new QueueService({ holdMusicUrl: 'http://127.0.0.1:1/hold', store: store.queues, log: silentLogger() });
  api = await startApi({ queues: new QueueApi(store.queues, live) });
  ({ client, http } = twilioClientFor(api.base, ACCOUNT, AUTH_TOKEN));
});
afterAll(async () => {
  await api.close();
  await store.close();
});

const restError = (p: Promise<unknown>): Promise<unknown> => p.then(
  () => {
    throw new Error('the request succeeded');
  },
  (err: unknown) => err,
);

describe('the Queues resource through the twilio library', () => {
  test('create with MaxSize 1, fetch, update FriendlyName and MaxSize, delete; fetching it then is a 404', async () => {
    const queue = await client.queues.create({ friendlyName: 'support', maxSize: 1 });
    expect(http.requested.at(-1)).toMatchObject({ method: 'POST', uri: `${api.base}/2010-04-01/Accounts/${ACCOUNT}/Queues.json` });
    expect(queue.sid).toMatch(/^QU[0-9a-f]{32}$/);
    expect(queue).toMatchObject({ accountSid: ACCOUNT, friendlyName: 'support', maxSize: 1, currentSize: 0, averageWaitTime: 0 });
    expect(queue.uri).toBe(`/2010-04-01/Accounts/${ACCOUNT}/Queues/${queue.sid}.json`);
    expect(queue.dateCreated).toBeInstanceOf(Date);
    expect(Math.abs(queue.dateCreated.getTime() - Date.now())).toBeLessThan(5000);

    const fetched = await client.queues(queue.sid).fetch();
    expect(fetched).toMatchObject({ sid: queue.sid, friendlyName: 'support', maxSize: 1, currentSize: 0 });

    const updated = await client.queues(queue.sid).update({ friendlyName: 'support-tier-2', maxSize: 5000 });
    expect(updated).toMatchObject({ sid: queue.sid, friendlyName: 'support-tier-2', maxSize: 5000 });
    expect((await client.queues(queue.sid).fetch()).friendlyName).toBe('support-tier-2');
    // Only MaxSize: the name stays.
    expect(await client.queues(queue.sid).update({ maxSize: 20 })).toMatchObject({ friendlyName: 'support-tier-2', maxSize: 20 });
    // The record is the store's: the name now leads to this queue.
    expect((await store.queues.byName(ACCOUNT, 'support-tier-2'))?.sid).toBe(queue.sid);
    expect(await store.queues.byName(ACCOUNT, 'support')).toBeUndefined();

    expect(await client.queues(queue.sid).remove()).toBe(true);
    expect(await restError(client.queues(queue.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await restError(client.queues(queue.sid).remove())).toMatchObject({ status: 404, code: 20404 });
  });

  test('without MaxSize a queue takes 1000 callers (Twilio’s default); a FriendlyName the account has is refused', async () => {
    const queue = await client.queues.create({ friendlyName: 'default-size' });
    expect(queue.maxSize).toBe(1000);
    const dup = await restError(client.queues.create({ friendlyName: 'default-size', maxSize: 3 }));
    expect(dup).toBeInstanceOf(twilio.RestException);
    expect(dup).toMatchObject({ status: 400, code: 20001 });
    expect((dup as Error).message).toContain('FriendlyName');
    // Renaming onto another queue's name is refused too, and changes nothing.
    const other = await client.queues.create({ friendlyName: 'other-name' });
    expect(await restError(client.queues(other.sid).update({ friendlyName: 'default-size', maxSize: 9 }))).toMatchObject({ status: 400, code: 20001 });
    expect(await client.queues(other.sid).fetch()).toMatchObject({ friendlyName: 'other-name', maxSize: 1000 });
    // Another account may have a queue of that name, and does not see this one.
    const { client: theirs } = twilioClientFor(api.base, OTHER_ACCOUNT, OTHER_AUTH_TOKEN);
    expect((await theirs.queues.create({ friendlyName: 'default-size' })).accountSid).toBe(OTHER_ACCOUNT);
    expect(await restError(theirs.queues(queue.sid).fetch())).toMatchObject({ status: 404 });
    expect((await theirs.queues.list()).map((q) => q.friendlyName)).toEqual(['default-size']);
  });

  test('queues.list pages newest first and returns every queue once', async () => {
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await client.queues.create({ friendlyName: `listed-${i}`, maxSize: i + 1 })).sid);
    const before = http.requested.length;
    const listed = await client.queues.list({ pageSize: 3 });
    expect(http.requested.length - before).toBeGreaterThan(2);
    expect(http.requested[before]?.params).toMatchObject({ PageSize: 3 });
    const sids = listed.map((q) => q.sid);
    expect(new Set(sids).size).toBe(sids.length);
    // Made last, listed first.
    expect(sids.filter((s) => made.includes(s))).toEqual([...made].reverse());
    const created = listed.map((q) => q.dateCreated.getTime());
    expect([...created].sort((a, b) => b - a)).toEqual(created);
    expect(listed.find((q) => q.sid === made[2])).toMatchObject({ friendlyName: 'listed-2', maxSize: 3, currentSize: 0, averageWaitTime: 0 });
  });

  test('bad parameters are a 400 naming the parameter; unknown queues and members a 404', async () => {
    for (const maxSize of [0, 5001]) {
      const err = await restError(client.queues.create({ friendlyName: `size-${maxSize}`, maxSize }));
      expect(err).toMatchObject({ status: 400, code: 20001 });
      expect((err as Error).message).toContain('MaxSize');
    }
    const notNumber = await api.request('/Queues.json', { form: { FriendlyName: 'size-ten', MaxSize: 'ten' } });
    expect(notNumber.status).toBe(400);
    expect(((await notNumber.json()) as { message: string }).message).toContain('MaxSize');
    // The library refuses to send a create without FriendlyName: sent by hand.
    const missing = await api.request('/Queues.json', { form: { MaxSize: '5' } });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ code: 20001, status: 400, message: expect.stringContaining('FriendlyName') as unknown });
    const long = await restError(client.queues.create({ friendlyName: 'x'.repeat(65) }));
    expect(long).toMatchObject({ status: 400 });
    expect((long as Error).message).toContain('FriendlyName');
    expect(await store.queues.byName(ACCOUNT, 'size-0')).toBeUndefined();

    const unknown = 'QU' + 'e'.repeat(32);
    expect(await restError(client.queues(unknown).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await restError(client.queues(unknown).update({ maxSize: 2 }))).toMatchObject({ status: 404, code: 20404 });
    expect(await restError(client.queues(unknown).members.list())).toMatchObject({ status: 404, code: 20404 });

    // A queue with nobody in it: no members, no Front, nobody to dequeue.
    const empty = await client.queues.create({ friendlyName: 'empty' });
    expect(await client.queues(empty.sid).members.list()).toEqual([]);
    expect(await restError(client.queues(empty.sid).members('Front').fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await restError(client.queues(empty.sid).members('CA' + '1'.repeat(32)).update({ url: 'https://app.example.com/next' }))).toMatchObject({ status: 404 });
    const badUrl = await restError(client.queues(empty.sid).members('Front').update({ url: 'not a url' }));
    expect(badUrl).toMatchObject({ status: 400, code: 21205 });
    const noUrl = await api.request(`/Queues/${empty.sid}/Members/Front.json`, { form: { Method: 'GET' } });
    expect(noUrl.status).toBe(400);
    expect(((await noUrl.json()) as { message: string }).message).toContain('Url');
    const badMethod = await restError(client.queues(empty.sid).members('Front').update({ url: 'https://app.example.com/next', method: 'PUT' }));
    expect(badMethod).toMatchObject({ status: 400 });
    expect((badMethod as Error).message).toContain('Method');

    const put = await api.request(`/Queues/${empty.sid}.json`, { method: 'PUT' });
    expect(put.status).toBe(405);
  });
});
