import type { Page, PageRequest } from '../../api/paging.js';
import { conferenceMatches, type ConferenceFilter, type ConferenceRecord } from '../../conferences/conference-record.js';
import { pageOf } from '../ordered-pages.js';
import { decodeConference, encodeConference } from '../record-codec.js';
import type { ConferenceRecordStore } from '../types.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisRecords } from './redis-records.js';
import { getAll, scanIndex } from './redis-scan.js';

/** Conference records in Redis: `conference:{sid}` (expiring after the retention) and the account's sorted set `conferences:{account}`. */
export class RedisConferenceStore implements ConferenceRecordStore {
  constructor(
    private readonly r: RedisRecords,
    private readonly keys: RedisKeys,
  ) {}

  put(c: ConferenceRecord): void {
    const { client } = this.r;
    const key = this.keys.conference(c.sid);
    const index = this.keys.accountConferences(c.accountSid);
    this.r.write(key, client.set(key, encodeConference(c), 'PX', this.r.ttlMs));
    this.r.write(index, client.zadd(index, c.dateCreated.getTime(), c.sid));
    const open = this.keys.unfinishedConferences(c.engineId);
    this.r.write(open, c.status === 'completed' ? client.srem(open, c.sid) : client.sadd(open, c.sid));
    this.r.maybePrune(index, (sid) => this.keys.conference(sid));
  }

  /** Only an engine's own: a store shared by several engines has no "all engines" answer. */
  unfinished(engineId?: string): Promise<ConferenceRecord[]> {
    if (engineId === undefined) return Promise.resolve([]);
    return this.r.read('unfinished conferences', async () => {
      const sids = await this.r.client.smembers(this.keys.unfinishedConferences(engineId));
      const values = await getAll(this.r.client, sids.map((sid) => this.keys.conference(sid)));
      return values.flatMap((v) => (v === null ? [] : [decodeConference(v)])).filter((c) => c.status !== 'completed');
    });
  }

  get(conferenceSid: string): Promise<ConferenceRecord | undefined> {
    return this.r.read('conference', async () => {
      const data = await this.r.client.get(this.keys.conference(conferenceSid));
      return data === null ? undefined : decodeConference(data);
    });
  }

  list(accountSid: string, filter: ConferenceFilter, page: PageRequest): Promise<Page<ConferenceRecord>> {
    const src = {
      client: this.r.client,
      index: this.keys.accountConferences(accountSid),
      fetch: async (sids: readonly string[]) =>
        (await getAll(this.r.client, sids.map((sid) => this.keys.conference(sid)))).map((v) => (v === null ? undefined : decodeConference(v))),
      matches: (c: ConferenceRecord) => conferenceMatches(c, accountSid, filter),
    };
    return this.r.read('conference list', () => pageOf((req) => scanIndex(src, req), page));
  }
}
