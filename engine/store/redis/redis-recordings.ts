import type { RecordingRecord } from '../../api/call-service.js';
import type { Page, PageRequest } from '../../api/paging.js';
import { pageOf } from '../ordered-pages.js';
import { decodeRecording, encodeRecording, recordingMatches } from '../record-codec.js';
import type { RecordingFilter, RecordingRecordStore } from '../types.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisRecords } from './redis-records.js';
import { getAll, scanIndex } from './redis-scan.js';

/** Recording records in Redis: `recording:{sid}` (expiring after the retention) and the account's sorted set `recordings:{account}`. */
export class RedisRecordingStore implements RecordingRecordStore {
  constructor(
    private readonly r: RedisRecords,
    private readonly keys: RedisKeys,
  ) {}

  put(recording: RecordingRecord): void {
    const { client } = this.r;
    const key = this.keys.recording(recording.sid);
    const index = this.keys.accountRecordings(recording.accountSid);
    this.r.write(key, client.set(key, encodeRecording(recording), 'PX', this.r.ttlMs));
    this.r.write(index, client.zadd(index, recording.dateCreated.getTime(), recording.sid));
    this.r.maybePrune(index, (sid) => this.keys.recording(sid));
  }

  get(recordingSid: string): Promise<RecordingRecord | undefined> {
    return this.r.read('recording', async () => {
      const data = await this.r.client.get(this.keys.recording(recordingSid));
      return data === null ? undefined : decodeRecording(data);
    });
  }

  delete(recordingSid: string): Promise<boolean> {
    return this.r.read('recording delete', async () => {
      const { client } = this.r;
      const data = await client.get(this.keys.recording(recordingSid));
      if (data === null) return false;
      const { accountSid } = decodeRecording(data);
      await Promise.all([client.del(this.keys.recording(recordingSid)), client.zrem(this.keys.accountRecordings(accountSid), recordingSid)]);
      return true;
    });
  }

  list(accountSid: string, filter: RecordingFilter, page: PageRequest): Promise<Page<RecordingRecord>> {
    const src = {
      client: this.r.client,
      index: this.keys.accountRecordings(accountSid),
      fetch: async (sids: readonly string[]) =>
        (await getAll(this.r.client, sids.map((sid) => this.keys.recording(sid)))).map((v) => (v === null ? undefined : decodeRecording(v))),
      matches: (r: RecordingRecord) => recordingMatches(r, accountSid, filter),
    };
    return this.r.read('recording list', () => pageOf((req) => scanIndex(src, req), page));
  }
}
