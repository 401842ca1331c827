import type { Page, PageRequest } from '../../api/paging.js';
import type { ConferenceFilter, ConferenceRecord } from '../../conferences/conference-record.js';
import { pageOf, type ScanRequest } from '../ordered-pages.js';
import { decodeConference, encodeConference } from '../record-codec.js';
import type { ConferenceRecordStore } from '../types.js';
import type { Db } from './sqlite-database.js';
import { scanRows, Statements, type Condition } from './sqlite-scan.js';
import type { WriteBehind } from './write-behind.js';

/** Conference records in the embedded database. */
export class SqliteConferenceStore implements ConferenceRecordStore {
  private readonly upsert;
  private readonly byId;
  private readonly statements: Statements;

  constructor(
    db: Db,
    private readonly writes: WriteBehind,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO conferences (sid, account_sid, created_ms, updated_ms, status, friendly_name, data)
       VALUES (@sid, @account, @created, @updated, @status, @name, @data)
       ON CONFLICT (sid) DO UPDATE SET updated_ms = excluded.updated_ms, status = excluded.status, data = excluded.data`,
    );
    this.byId = db.prepare('SELECT data FROM conferences WHERE sid = ?').pluck();
    this.statements = new Statements(db);
  }

  put(c: ConferenceRecord): void {
    // Encoded when the batch is written: of several changes in one batch only the last is.
    this.writes.add(`conference:${c.sid}`, () =>
      this.upsert.run({
        sid: c.sid,
        account: c.accountSid,
        created: c.dateCreated.getTime(),
        updated: c.dateUpdated.getTime(),
        status: c.status,
        name: c.friendlyName,
        data: encodeConference(c),
      }),
    );
  }

  get(conferenceSid: string): Promise<ConferenceRecord | undefined> {
    this.writes.flush();
    const data = this.byId.get(conferenceSid) as string | undefined;
    return Promise.resolve(data === undefined ? undefined : decodeConference(data));
  }

  list(accountSid: string, filter: ConferenceFilter, page: PageRequest): Promise<Page<ConferenceRecord>> {
    this.writes.flush();
    return pageOf((req) => Promise.resolve(this.scan(accountSid, filter, req)), page);
  }

  unfinished(engineId?: string): Promise<ConferenceRecord[]> {
    this.writes.flush();
    const sql =
      engineId === undefined
        ? "SELECT data FROM conferences WHERE status != 'completed'"
        : "SELECT data FROM conferences WHERE status != 'completed' AND json_extract(data, '$.engineId') = ?";
    const rows = (engineId === undefined ? this.statements.get(sql).pluck().all() : this.statements.get(sql).pluck().all(engineId)) as string[];
    return Promise.resolve(rows.map(decodeConference));
  }

  /** Ended conferences past the retention are deleted. */
  prune(before: number, keep: number): number {
    this.writes.flush();
    const old = this.statements.get("DELETE FROM conferences WHERE status = 'completed' AND updated_ms < ?").run(before).changes;
    const over = this.statements
      .get(
        "DELETE FROM conferences WHERE sid IN (SELECT sid FROM conferences WHERE status = 'completed' ORDER BY created_ms DESC, sid DESC LIMIT -1 OFFSET ?)",
      )
      .run(keep).changes;
    return old + over;
  }

  private scan(accountSid: string, f: ConferenceFilter, req: ScanRequest): ConferenceRecord[] {
    const conditions: Condition[] = [
      ['account_sid = ?', accountSid],
      ['status = ?', f.status],
      ['friendly_name = ?', f.friendlyName],
      ['created_ms >= ?', f.createdAfter?.getTime()],
      ['created_ms < ?', f.createdBefore?.getTime()],
      ['updated_ms >= ?', f.updatedAfter?.getTime()],
      ['updated_ms < ?', f.updatedBefore?.getTime()],
    ];
    return scanRows(this.statements, 'conferences', conditions, req).map(decodeConference);
  }
}
