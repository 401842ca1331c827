import type { EventRecord, TaskRouterRecord } from '../../taskrouter/records.js';
import { byWorkspace, recordWorkspace, type TaskRouterStore } from '../taskrouter-store.js';
import type { Db } from './sqlite-database.js';
import { LiveRows } from './taskrouter-live-rows.js';
import type { WriteBehind } from './write-behind.js';

/** A removed record, in the log. */
interface Tombstone {
  removed: string;
}

/**
 * The changes gathered between two writes. Records are held by reference,
 * so a record saved ten times in a batch is written once, as it is when the
 * batch is written.
 */
interface Batch {
  /** When its first change was made (performance.now()). */
  readonly since: number;
  /** sid -> the record to write, or its workspace for a removal. */
  readonly records: Map<string, { ws: string; record?: TaskRouterRecord }>;
  readonly events: Map<string, EventRecord[]>;
  readonly removedWorkspaces: string[];
  /** The rows it writes and deletes, fixed when it is first written (a retried write writes the same). */
  sealed?: {
    records: { id: number; ws: string; items: (TaskRouterRecord | Tombstone)[] }[];
    events: { id: number; ws: string; events: EventRecord[] }[];
    deadRows: number[];
    trims: { ws: string; below: number }[];
  };
}

/** How old a batch is before an idle moment writes it (the write-behind writes it anyway at its interval). */
const IDLE_WRITE_MS = 2;
/** At load, the log is written again, live records only, once it holds this many times more versions than records. */
const COMPACT_RATIO = 3;
const COMPACT_SLACK = 10_000;
/** Records per row of a compacted log. */
const COMPACT_ROW = 1000;

/**
 * TaskRouter's records and events in the embedded database, as two logs.
 * A write appends one row per workspace holding every record it changed
 * (a JSON array; the latest row of a record wins at load), and deletes the
 * rows none of whose records lives there any more; and one row of its
 * events, the oldest rows deleted as a range once the newer hold the number
 * kept. So a batch of a hundred changes is a couple of inserts, where a row
 * per record was a hundred upserts at random places of an index.
 *
 * Changes are gathered in a batch that joins the store's write-behind
 * queue as one item, so the store's flush and close write it, in one
 * transaction with the rest.
 */
export class SqliteTaskRouterStore implements TaskRouterStore {
  private readonly insertRecords;
  private readonly deleteRow;
  private readonly insertEvents;
  private readonly trimEvents;
  private readonly delWorkspace;
  private readonly delWorkspaceEvents;
  private readonly allRecords;
  private readonly allEvents;
  private readonly db: Db;
  private current: Batch | undefined;
  private batches = 0;
  private readonly rows = new LiveRows();
  /** Each workspace's stored event rows, oldest first, and how many events they hold. */
  private readonly stored = new Map<string, { chunks: { id: number; count: number }[]; total: number }>();
  /** How many events each workspace keeps, as its last addEvent said. */
  private readonly keep = new Map<string, number>();
  private nextRecordRow: number;
  private nextEventRow: number;

  constructor(
    db: Db,
    private readonly writes: WriteBehind,
  ) {
    this.db = db;
    this.insertRecords = db.prepare('INSERT OR REPLACE INTO taskrouter_log (id, workspace_sid, data) VALUES (?, ?, ?)');
    this.deleteRow = db.prepare('DELETE FROM taskrouter_log WHERE id = ?');
    this.insertEvents = db.prepare('INSERT OR REPLACE INTO taskrouter_events (id, workspace_sid, count, data) VALUES (?, ?, ?, ?)');
    this.trimEvents = db.prepare('DELETE FROM taskrouter_events WHERE workspace_sid = ? AND id < ?');
    this.delWorkspace = db.prepare('DELETE FROM taskrouter_log WHERE workspace_sid = ?');
    this.delWorkspaceEvents = db.prepare('DELETE FROM taskrouter_events WHERE workspace_sid = ?');
    this.allRecords = db.prepare('SELECT id, data FROM taskrouter_log ORDER BY id');
    this.allEvents = db.prepare('SELECT data FROM taskrouter_events ORDER BY id').pluck();
    // What is stored already: new rows follow it, and the oldest event rows can be trimmed.
    this.nextRecordRow = Number(db.prepare('SELECT coalesce(max(id), 0) FROM taskrouter_log').pluck().get()) + 1;
    const chunks = db.prepare('SELECT id, workspace_sid AS ws, count FROM taskrouter_events ORDER BY id').all() as { id: number; ws: string; count: number }[];
    for (const c of chunks) {
      const s = this.log(c.ws);
      s.chunks.push({ id: c.id, count: c.count });
      s.total += c.count;
    }
    this.nextEventRow = (chunks[chunks.length - 1]?.id ?? 0) + 1;
  }

  put(record: TaskRouterRecord): void {
    this.batch().records.set(record.sid, { ws: recordWorkspace(record), record });
  }

  remove(workspaceSid: string, sid: string): void {
    this.batch().records.set(sid, { ws: workspaceSid });
  }

  removeWorkspace(workspaceSid: string): void {
    const b = this.batch();
    // Changes of the workspace gathered before its removal would bring rows back after it.
    for (const [sid, change] of b.records) if (change.ws === workspaceSid) b.records.delete(sid);
    b.events.delete(workspaceSid);
    b.removedWorkspaces.push(workspaceSid);
    this.stored.delete(workspaceSid);
  }

  addEvent(event: EventRecord, keep: number): void {
    const b = this.batch();
    let list = b.events.get(event.workspaceSid);
    if (!list) b.events.set(event.workspaceSid, (list = []));
    list.push(event);
    this.keep.set(event.workspaceSid, keep);
  }

  flush(): void {
    this.writes.flush();
  }

  /**
   * Writes the batch once it is a few ms old, right after the engine's work
   * of the moment: the write-behind's own timer would fire in the middle of
   * the next work (new tasks waiting for their pass behind the write).
   */
  idle(): void {
    if (this.current && performance.now() - this.current.since >= IDLE_WRITE_MS) this.writes.flush();
  }

  load(): Promise<TaskRouterRecord[]> {
    this.writes.flush();
    // Replays the log: a record's latest version (or its removal) wins.
    const latest = new Map<string, TaskRouterRecord | undefined>();
    this.rows.clear();
    let versions = 0;
    for (const row of this.allRecords.all() as { id: number; data: string }[]) {
      const items = JSON.parse(row.data) as (TaskRouterRecord | Tombstone)[];
      const sids: string[] = [];
      for (const item of items) {
        if ('removed' in item) {
          latest.set(item.removed, undefined);
          sids.push(item.removed);
        } else {
          latest.set(item.sid, item);
          sids.push(item.sid);
        }
      }
      versions += items.length;
      this.rows.wrote(row.id, sids);
    }
    const out: TaskRouterRecord[] = [];
    for (const r of latest.values()) if (r) out.push(r);
    // Otherwise the rows found dead go with the next write.
    if (versions > COMPACT_RATIO * out.length + COMPACT_SLACK) this.compact(out);
    for (const d of this.allEvents.all() as string[]) for (const e of JSON.parse(d) as EventRecord[]) out.push(e);
    return Promise.resolve(out);
  }

  /** Writes the log again with the live records only (at load, when old versions far outnumber them). */
  private compact(records: readonly TaskRouterRecord[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM taskrouter_log').run();
      this.rows.clear();
      for (const [ws, list] of byWorkspace(records)) {
        for (let i = 0; i < list.length; i += COMPACT_ROW) {
          const part = list.slice(i, i + COMPACT_ROW);
          const id = this.nextRecordRow++;
          this.insertRecords.run(id, ws, JSON.stringify(part));
          this.rows.wrote(id, part.map((r) => r.sid));
        }
      }
    })();
  }

  private log(ws: string): { chunks: { id: number; count: number }[]; total: number } {
    let s = this.stored.get(ws);
    if (!s) this.stored.set(ws, (s = { chunks: [], total: 0 }));
    return s;
  }

  /** The batch being gathered; a new one joins the write-behind queue. */
  private batch(): Batch {
    if (this.current) return this.current;
    const b: Batch = { since: performance.now(), records: new Map(), events: new Map(), removedWorkspaces: [] };
    this.current = b;
    this.writes.add(`taskrouter:${++this.batches}`, () => this.write(b));
    return b;
  }

  /** Writes a batch (inside the write-behind's transaction); run again with the same rows when that transaction failed. */
  private write(b: Batch): void {
    if (this.current === b) this.current = undefined;
    const s = (b.sealed ??= this.seal(b));
    for (const ws of b.removedWorkspaces) {
      this.delWorkspace.run(ws);
      this.delWorkspaceEvents.run(ws);
    }
    for (const r of s.records) this.insertRecords.run(r.id, r.ws, JSON.stringify(r.items));
    for (const id of s.deadRows) this.deleteRow.run(id);
    for (const c of s.events) this.insertEvents.run(c.id, c.ws, c.events.length, JSON.stringify(c.events));
    for (const t of s.trims) this.trimEvents.run(t.ws, t.below);
  }

  /** Gives the batch's rows their ids, and works out which old rows go once they are written. */
  private seal(b: Batch): NonNullable<Batch['sealed']> {
    const sealed: NonNullable<Batch['sealed']> = { records: [], events: [], deadRows: [], trims: [] };
    const byWorkspace = new Map<string, (TaskRouterRecord | Tombstone)[]>();
    for (const [sid, change] of b.records) {
      let items = byWorkspace.get(change.ws);
      if (!items) byWorkspace.set(change.ws, (items = []));
      items.push(change.record ?? { removed: sid });
    }
    for (const [ws, items] of byWorkspace) {
      const id = this.nextRecordRow++;
      sealed.records.push({ id, ws, items });
      this.rows.wrote(id, items.map((i) => ('removed' in i ? i.removed : i.sid)));
    }
    sealed.deadRows = this.rows.takeDead();
    for (const [ws, events] of b.events) {
      const id = this.nextEventRow++;
      sealed.events.push({ id, ws, events });
      const s = this.log(ws);
      s.chunks.push({ id, count: events.length });
      s.total += events.length;
      const keep = this.keep.get(ws) ?? Infinity;
      let drop = 0;
      while (drop < s.chunks.length - 1 && s.total - s.chunks[drop]!.count >= keep) s.total -= s.chunks[drop++]!.count;
      if (drop > 0) {
        sealed.trims.push({ ws, below: s.chunks[drop]!.id });
        s.chunks.splice(0, drop);
      }
    }
    return sealed;
  }
}
