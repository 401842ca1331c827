import { decodeEntry, encodeEntry, MAX_ENTRIES_PER_CALL, type CallLogEntry } from '../../call-log/call-log-record.js';
import type { CallLogStore } from '../types.js';
import type { Db } from './sqlite-database.js';
import type { WriteBehind } from './write-behind.js';

/** A call's debugging log in the embedded database: a row an entry, in the order written. */
export class SqliteCallLogStore implements CallLogStore {
  private readonly insert;
  private readonly byCall;
  private readonly older;

  constructor(
    db: Db,
    private readonly writes: WriteBehind,
  ) {
    this.insert = db.prepare('INSERT INTO call_log (call_sid, at_ms, data) VALUES (?, ?, ?)');
    this.byCall = db.prepare(`SELECT data FROM (SELECT seq, data FROM call_log WHERE call_sid = ? ORDER BY seq DESC LIMIT ${MAX_ENTRIES_PER_CALL}) ORDER BY seq`).pluck();
    this.older = db.prepare('DELETE FROM call_log WHERE at_ms < ?');
  }

  add(entry: CallLogEntry): void {
    this.writes.add(`call-log:${entry.sid}`, () => this.insert.run(entry.callSid, entry.at.getTime(), encodeEntry(entry)));
  }

  entries(callSid: string): Promise<CallLogEntry[]> {
    this.writes.flush();
    return Promise.resolve((this.byCall.all(callSid) as string[]).map(decodeEntry));
  }

  /** Entries older than the call records' retention go. */
  prune(before: number): number {
    this.writes.flush();
    return this.older.run(before).changes;
  }
}
