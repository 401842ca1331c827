import type { RecordingRecord } from '../../api/call-service.js';
import type { Page, PageRequest } from '../../api/paging.js';
import { pageOf, type ScanRequest } from '../ordered-pages.js';
import { decodeRecording, encodeRecording } from '../record-codec.js';
import type { RecordingFilter, RecordingRecordStore } from '../types.js';
import type { Db } from './sqlite-database.js';
import { scanRows, Statements, type Condition } from './sqlite-scan.js';
import type { WriteBehind } from './write-behind.js';

/** Recording records in the embedded database (the audio files stay in the recordings directory). */
export class SqliteRecordingStore implements RecordingRecordStore {
  private readonly upsert;
  private readonly byId;
  private readonly statements: Statements;

  constructor(
    db: Db,
    private readonly writes: WriteBehind,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO recordings (sid, account_sid, call_sid, created_ms, data) VALUES (@sid, @account, @call, @created, @data)
       ON CONFLICT (sid) DO UPDATE SET data = excluded.data`,
    );
    this.byId = db.prepare('SELECT data FROM recordings WHERE sid = ?').pluck();
    this.statements = new Statements(db);
  }

  put(r: RecordingRecord): void {
    this.writes.add(`recording:${r.sid}`, () => this.upsert.run({ sid: r.sid, account: r.accountSid, call: r.callSid, created: r.dateCreated.getTime(), data: encodeRecording(r) }));
  }

  get(recordingSid: string): Promise<RecordingRecord | undefined> {
    this.writes.flush();
    const data = this.byId.get(recordingSid) as string | undefined;
    return Promise.resolve(data === undefined ? undefined : decodeRecording(data));
  }

  list(accountSid: string, filter: RecordingFilter, page: PageRequest): Promise<Page<RecordingRecord>> {
    this.writes.flush();
    return pageOf((req) => Promise.resolve(this.scan(accountSid, filter, req)), page);
  }

  delete(recordingSid: string): Promise<boolean> {
    this.writes.flush();
    return Promise.resolve(this.statements.get('DELETE FROM recordings WHERE sid = ?').run(recordingSid).changes > 0);
  }

  /** Records beyond the retention are deleted (their files are left to the operator). */
  prune(before: number, keep: number): number {
    this.writes.flush();
    const old = this.statements.get('DELETE FROM recordings WHERE created_ms < ?').run(before).changes;
    const over = this.statements
      .get('DELETE FROM recordings WHERE sid IN (SELECT sid FROM recordings ORDER BY created_ms DESC, sid DESC LIMIT -1 OFFSET ?)')
      .run(keep).changes;
    return old + over;
  }

  private scan(accountSid: string, f: RecordingFilter, req: ScanRequest): RecordingRecord[] {
    const conditions: Condition[] = [
      ['account_sid = ?', accountSid],
      ['call_sid = ?', f.callSid],
      ["json_extract(data, '$.conferenceSid') = ?", f.conferenceSid],
      ['created_ms >= ?', f.createdAfter?.getTime()],
      ['created_ms < ?', f.createdBefore?.getTime()],
    ];
    return scanRows(this.statements, 'recordings', conditions, req).map(decodeRecording);
  }
}
