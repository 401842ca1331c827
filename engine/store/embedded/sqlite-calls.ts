import type { CallFilter } from '../../api/call-service.js';
import type { Page, PageRequest } from '../../api/paging.js';
import { isFinalStatus } from '../../calls/call-status.js';
import { pageOf, type ScanRequest } from '../ordered-pages.js';
import { decodeCall, encodeCall } from '../record-codec.js';
import type { CallRecordStore, StoredCall } from '../types.js';
import type { Db } from './sqlite-database.js';
import { scanRows, Statements, type Condition } from './sqlite-scan.js';
import type { WriteBehind } from './write-behind.js';

/** Call records in the embedded database: one row a call, its record as JSON beside the columns lists filter on. */
export class SqliteCallStore implements CallRecordStore {
  private readonly upsert;
  private readonly byId;
  private readonly statements: Statements;

  constructor(
    db: Db,
    private readonly writes: WriteBehind,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO calls (sid, account_sid, created_ms, status, final, to_address, from_address, parent_call_sid, engine_id, ended_ms, data)
       VALUES (@sid, @account, @created, @status, @final, @to, @from, @parent, @engine, @ended, @data)
       ON CONFLICT (sid) DO UPDATE SET status = excluded.status, final = excluded.final, engine_id = excluded.engine_id,
         ended_ms = excluded.ended_ms, data = excluded.data`,
    );
    this.byId = db.prepare('SELECT data FROM calls WHERE sid = ?').pluck();
    this.statements = new Statements(db);
  }

  put(call: StoredCall): void {
    // The row is made when the batch is written: of a call's changes within one batch only the last is encoded.
    this.writes.add(`call:${call.sid}`, () =>
      this.upsert.run({
        sid: call.sid,
        account: call.accountSid,
        created: call.dateCreated.getTime(),
        status: call.status,
        final: isFinalStatus(call.status) ? 1 : 0,
        to: call.to,
        from: call.from,
        parent: call.parentCallSid ?? null,
        engine: call.engineId,
        ended: call.endTime?.getTime() ?? null,
        data: encodeCall(call),
      }),
    );
  }

  get(callSid: string): Promise<StoredCall | undefined> {
    this.writes.flush();
    const data = this.byId.get(callSid) as string | undefined;
    return Promise.resolve(data === undefined ? undefined : decodeCall(data));
  }

  list(accountSid: string, filter: CallFilter, page: PageRequest): Promise<Page<StoredCall>> {
    this.writes.flush();
    return pageOf((req) => Promise.resolve(this.scan(accountSid, filter, req)), page);
  }

  delete(callSid: string): Promise<boolean> {
    // Pending writes first, so that none of them brings the row back.
    this.writes.flush();
    return Promise.resolve(this.statements.get('DELETE FROM calls WHERE sid = ?').run(callSid).changes > 0);
  }

  unfinished(engineId?: string): Promise<StoredCall[]> {
    this.writes.flush();
    const sql = engineId === undefined ? 'SELECT data FROM calls WHERE final = 0' : 'SELECT data FROM calls WHERE final = 0 AND engine_id = ?';
    const rows = this.statements.get(sql).pluck().all(...(engineId === undefined ? [] : [engineId])) as string[];
    return Promise.resolve(rows.map(decodeCall));
  }

  unfinishedEngines(): Promise<string[]> {
    this.writes.flush();
    return Promise.resolve(this.statements.get('SELECT DISTINCT engine_id FROM calls WHERE final = 0').pluck().all() as string[]);
  }

  forgetEngine(): void {
    // Rows are found by their state: there is nothing to forget.
  }

  /** Ended calls beyond the retention (older than `before`, or past the newest `keep`) are deleted. */
  prune(before: number, keep: number): number {
    this.writes.flush();
    const old = this.statements.get('DELETE FROM calls WHERE final = 1 AND created_ms < ?').run(before).changes;
    const over = this.statements.get(
      `DELETE FROM calls WHERE sid IN (SELECT sid FROM calls WHERE final = 1 ORDER BY created_ms DESC, sid DESC LIMIT -1 OFFSET ?)`,
    ).run(keep).changes;
    return old + over;
  }

  private scan(accountSid: string, f: CallFilter, req: ScanRequest): StoredCall[] {
    const conditions: Condition[] = [
      ['account_sid = ?', accountSid],
      ['to_address = ?', f.to],
      ['from_address = ?', f.from],
      ['status = ?', f.status],
      ['parent_call_sid = ?', f.parentCallSid],
      ['created_ms >= ?', f.startedAfter?.getTime()],
      ['created_ms < ?', f.startedBefore?.getTime()],
      ['ended_ms >= ?', f.endedAfter?.getTime()],
      ['ended_ms < ?', f.endedBefore?.getTime()],
    ];
    return scanRows(this.statements, 'calls', conditions, req).map(decodeCall);
  }
}
