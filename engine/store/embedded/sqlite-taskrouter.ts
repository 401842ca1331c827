import type { TaskRouterRecord } from '../../taskrouter/records.js';
import { recordWorkspace, type TaskRouterStore } from '../taskrouter-store.js';
import type { Db } from './sqlite-database.js';
import type { WriteBehind } from './write-behind.js';

/** TaskRouter's records in the embedded database: one row a record, by workspace. */
export class SqliteTaskRouterStore implements TaskRouterStore {
  private readonly upsert;
  private readonly del;
  private readonly delWorkspace;
  private readonly all;

  constructor(
    db: Db,
    private readonly writes: WriteBehind,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO taskrouter (workspace_sid, sid, kind, data) VALUES (?, ?, ?, ?)
       ON CONFLICT (workspace_sid, sid) DO UPDATE SET data = excluded.data`,
    );
    this.del = db.prepare('DELETE FROM taskrouter WHERE workspace_sid = ? AND sid = ?');
    this.delWorkspace = db.prepare('DELETE FROM taskrouter WHERE workspace_sid = ?');
    this.all = db.prepare('SELECT data FROM taskrouter').pluck();
  }

  put(record: TaskRouterRecord): void {
    const ws = recordWorkspace(record);
    this.writes.add(`taskrouter:${record.sid}`, () => this.upsert.run(ws, record.sid, record.kind, JSON.stringify(record)));
  }

  remove(workspaceSid: string, sid: string): void {
    this.writes.add(`taskrouter:${sid}`, () => this.del.run(workspaceSid, sid));
  }

  removeWorkspace(workspaceSid: string): void {
    this.writes.add(`taskrouter-workspace:${workspaceSid}`, () => this.delWorkspace.run(workspaceSid));
  }

  load(): Promise<TaskRouterRecord[]> {
    this.writes.flush();
    return Promise.resolve((this.all.all() as string[]).map((d) => JSON.parse(d) as TaskRouterRecord));
  }
}
