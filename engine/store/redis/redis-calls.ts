import type { CallFilter } from '../../api/call-service.js';
import type { Page, PageRequest } from '../../api/paging.js';
import { isFinalStatus } from '../../calls/call-status.js';
import { pageOf } from '../ordered-pages.js';
import { callMatches, decodeCall, encodeCall } from '../record-codec.js';
import type { CallRecordStore, StoredCall } from '../types.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisRecords } from './redis-records.js';
import { getAll, scanIndex } from './redis-scan.js';

/**
 * Call records in Redis: the record as JSON at `call:{sid}` (expiring after
 * the retention once the call has ended), its sid in the account's sorted
 * set `calls:{account}`, and in `calls-unfinished:{engine}` while it runs.
 */
export class RedisCallStore implements CallRecordStore {
  constructor(
    private readonly r: RedisRecords,
    private readonly keys: RedisKeys,
  ) {}

  put(call: StoredCall): void {
    const { client } = this.r;
    const key = this.keys.call(call.sid);
    const data = encodeCall(call);
    const final = isFinalStatus(call.status);
    const index = this.keys.accountCalls(call.accountSid);
    this.r.write(key, final ? client.set(key, data, 'PX', this.r.ttlMs) : client.set(key, data));
    this.r.write(index, client.zadd(index, call.dateCreated.getTime(), call.sid));
    const unfinished = this.keys.unfinishedCalls(call.engineId);
    if (final) this.r.write(unfinished, client.srem(unfinished, call.sid));
    else {
      this.r.write(unfinished, client.sadd(unfinished, call.sid));
      this.r.write(this.keys.enginesWithCalls(), client.sadd(this.keys.enginesWithCalls(), call.engineId));
    }
    if (final) this.r.maybePrune(index, (sid) => this.keys.call(sid));
  }

  get(callSid: string): Promise<StoredCall | undefined> {
    return this.r.read('call', async () => {
      const data = await this.r.client.get(this.keys.call(callSid));
      return data === null ? undefined : decodeCall(data);
    });
  }

  list(accountSid: string, filter: CallFilter, page: PageRequest): Promise<Page<StoredCall>> {
    const src = {
      client: this.r.client,
      index: this.keys.accountCalls(accountSid),
      fetch: (sids: readonly string[]) => this.fetch(sids),
      matches: (call: StoredCall) => callMatches(call, accountSid, filter),
    };
    return this.r.read('call list', () => pageOf((req) => scanIndex(src, req), page));
  }

  delete(callSid: string): Promise<boolean> {
    return this.r.read('call delete', async () => {
      const { client } = this.r;
      const data = await client.get(this.keys.call(callSid));
      if (data === null) return false;
      const call = decodeCall(data);
      await Promise.all([
        client.del(this.keys.call(callSid)),
        client.zrem(this.keys.accountCalls(call.accountSid), callSid),
        client.srem(this.keys.unfinishedCalls(call.engineId), callSid),
      ]);
      return true;
    });
  }

  unfinished(engineId?: string): Promise<StoredCall[]> {
    return this.r.read('unfinished calls', async () => {
      const engines = engineId === undefined ? await this.r.client.smembers(this.keys.enginesWithCalls()) : [engineId];
      const calls: StoredCall[] = [];
      for (const engine of engines) {
        const index = this.keys.unfinishedCalls(engine);
        const sids = await this.r.client.smembers(index);
        const records = await this.fetch(sids);
        const stale = sids.filter((_, i) => {
          const call = records[i];
          return call === undefined || isFinalStatus(call.status);
        });
        if (stale.length > 0) this.r.write(index, this.r.client.srem(index, ...stale));
        for (const call of records) if (call !== undefined && !isFinalStatus(call.status)) calls.push(call);
      }
      return calls;
    });
  }

  unfinishedEngines(): Promise<string[]> {
    return this.r.read('engines with calls', () => this.r.client.smembers(this.keys.enginesWithCalls()));
  }

  forgetEngine(engineId: string): void {
    this.r.write(this.keys.enginesWithCalls(), this.r.client.srem(this.keys.enginesWithCalls(), engineId));
  }

  private async fetch(sids: readonly string[]): Promise<(StoredCall | undefined)[]> {
    const values = await getAll(this.r.client, sids.map((sid) => this.keys.call(sid)));
    return values.map((v) => (v === null ? undefined : decodeCall(v)));
  }
}
