import type { Page, PageRequest } from '../../api/paging.js';
import type { QueueRecord, QueueUpdateResult } from '../../queues/queue-record.js';
import { pageOf } from '../ordered-pages.js';
import { decodeQueue, encodeQueue } from '../record-codec.js';
import type { QueueRecordStore } from '../types.js';
import type { Db } from './sqlite-database.js';
import { scanRows, Statements } from './sqlite-scan.js';

/**
 * Queue definitions in the embedded database, table `queues`, unique by
 * (account, friendly name). Written at once, not behind: creating a queue
 * must know whether the name was free.
 */
export class SqliteQueueStore implements QueueRecordStore {
  private readonly insert;
  private readonly bySid;
  private readonly sidOfName;
  private readonly rename;
  private readonly drop;
  private readonly statements: Statements;
  private readonly createTx;
  private readonly updateTx;

  constructor(db: Db) {
    this.insert = db.prepare<[{ sid: string; account: string; name: string; created: number; data: string }]>(
      `INSERT INTO queues (sid, account_sid, friendly_name, created_ms, data) VALUES (@sid, @account, @name, @created, @data)
       ON CONFLICT (account_sid, friendly_name) DO NOTHING`,
    );
    this.bySid = db.prepare<[string, string]>('SELECT data FROM queues WHERE account_sid = ? AND sid = ?').pluck();
    this.sidOfName = db.prepare<[string, string]>('SELECT sid FROM queues WHERE account_sid = ? AND friendly_name = ?').pluck();
    this.rename = db.prepare<[{ sid: string; name: string; data: string }]>('UPDATE queues SET friendly_name = @name, data = @data WHERE sid = @sid');
    this.drop = db.prepare<[string, string]>('DELETE FROM queues WHERE account_sid = ? AND sid = ?');
    this.statements = new Statements(db);
    this.createTx = db.transaction((q: QueueRecord): string => {
      this.insert.run({ sid: q.sid, account: q.accountSid, name: q.friendlyName, created: q.dateCreated.getTime(), data: encodeQueue(q) });
      const sid = this.sidOfName.get(q.accountSid, q.friendlyName) as string;
      return this.bySid.get(q.accountSid, sid) as string;
    });
    this.updateTx = db.transaction((q: QueueRecord): QueueUpdateResult => {
      if (this.bySid.get(q.accountSid, q.sid) === undefined) return 'missing';
      const holder = this.sidOfName.get(q.accountSid, q.friendlyName) as string | undefined;
      if (holder !== undefined && holder !== q.sid) return 'name-taken';
      this.rename.run({ sid: q.sid, name: q.friendlyName, data: encodeQueue(q) });
      return 'updated';
    });
  }

  create(queue: QueueRecord): Promise<QueueRecord> {
    return Promise.resolve(decodeQueue(this.createTx(queue)));
  }

  get(accountSid: string, queueSid: string): Promise<QueueRecord | undefined> {
    const data = this.bySid.get(accountSid, queueSid) as string | undefined;
    return Promise.resolve(data === undefined ? undefined : decodeQueue(data));
  }

  byName(accountSid: string, friendlyName: string): Promise<QueueRecord | undefined> {
    const sid = this.sidOfName.get(accountSid, friendlyName) as string | undefined;
    return sid === undefined ? Promise.resolve(undefined) : this.get(accountSid, sid);
  }

  list(accountSid: string, page: PageRequest): Promise<Page<QueueRecord>> {
    return pageOf((req) => Promise.resolve(scanRows(this.statements, 'queues', [['account_sid = ?', accountSid]], req).map(decodeQueue)), page);
  }

  update(queue: QueueRecord): Promise<QueueUpdateResult> {
    return Promise.resolve(this.updateTx(queue));
  }

  delete(accountSid: string, queueSid: string): Promise<boolean> {
    return Promise.resolve(this.drop.run(accountSid, queueSid).changes > 0);
  }
}
