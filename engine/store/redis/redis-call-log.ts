import { decodeEntry, encodeEntry, MAX_ENTRIES_PER_CALL, type CallLogEntry } from '../../call-log/call-log-record.js';
import type { CallLogStore } from '../types.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisRecords } from './redis-records.js';

/** A call's debugging log in Redis: one list per call, `call-log:{CallSid}`, cut to the last entries and expiring with the call records. */
export class RedisCallLogStore implements CallLogStore {
  constructor(
    private readonly r: RedisRecords,
    private readonly keys: RedisKeys,
  ) {}

  add(entry: CallLogEntry): void {
    const key = this.keys.callLog(entry.callSid);
    const op = this.r.client.multi().rpush(key, encodeEntry(entry)).ltrim(key, -MAX_ENTRIES_PER_CALL, -1).pexpire(key, this.r.ttlMs).exec();
    this.r.write(key, op);
  }

  entries(callSid: string): Promise<CallLogEntry[]> {
    return this.r.read('call log', async () => (await this.r.client.lrange(this.keys.callLog(callSid), 0, -1)).map(decodeEntry));
  }
}
