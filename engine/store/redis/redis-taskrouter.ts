import type { EventRecord, TaskRouterRecord } from '../../taskrouter/records.js';
import { recordWorkspace, type TaskRouterStore } from '../taskrouter-store.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisRecords } from './redis-records.js';

/** Longest a change waits to be sent when no assignment pass comes. */
const SEND_MS = 5;
/** How old the gathered changes are before an idle moment sends them (fewer, larger pipelines). */
const IDLE_SEND_MS = 2;

/** One workspace's changes gathered meanwhile. */
interface Pending {
  /** sid -> the record (written as it is when sent), or undefined for a delete. */
  records: Map<string, TaskRouterRecord | undefined>;
  events: EventRecord[];
  keep: number;
}

/**
 * TaskRouter's records in Redis: a hash a workspace (`taskrouter:{WorkspaceSid}`,
 * field = sid), its events in a list beside it (`taskrouter:{WorkspaceSid}:events`,
 * oldest first: an element holds the events of one send, a JSON array), and
 * the set of workspaces. The oldest elements of the list go once the newer
 * hold the number kept (this engine counts what each holds).
 *
 * Changes are gathered and sent together, in one pipeline: one HSET and
 * one HDEL per workspace for however many records (a task saved five times
 * meanwhile is sent once), one RPUSH and LTRIM for its events. They are
 * sent when the engine's work of the moment is done (`idle`, after an
 * assignment pass) once gathered for IDLE_SEND_MS, or at most SEND_MS
 * after the first of them; `flush`
 * (the service's close, a load) sends them at once, before the store's
 * own flush or close is asked for.
 */
export class RedisTaskRouterStore implements TaskRouterStore {
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  /** When the first change still to send was made (performance.now()). */
  private since = 0;
  /** How many events each element of a workspace's list holds, oldest first, and their sum. */
  private readonly lists = new Map<string, { counts: number[]; total: number }>();

  constructor(
    private readonly r: RedisRecords,
    private readonly keys: RedisKeys,
  ) {}

  put(record: TaskRouterRecord): void {
    const ws = recordWorkspace(record);
    this.of(ws).records.set(record.sid, record);
    if (record.kind === 'workspace') this.r.write(this.keys.taskRouterWorkspaces(), this.r.client.sadd(this.keys.taskRouterWorkspaces(), ws));
  }

  remove(workspaceSid: string, sid: string): void {
    this.of(workspaceSid).records.set(sid, undefined);
  }

  removeWorkspace(workspaceSid: string): void {
    this.pending.delete(workspaceSid);
    this.lists.delete(workspaceSid);
    this.flush();
    this.r.write(workspaceSid, this.r.client.del(this.keys.taskRouterWorkspace(workspaceSid), this.eventsKey(workspaceSid)));
    this.r.write(workspaceSid, this.r.client.srem(this.keys.taskRouterWorkspaces(), workspaceSid));
  }

  addEvent(event: EventRecord, keep: number): void {
    const p = this.of(event.workspaceSid);
    p.events.push(event);
    p.keep = keep;
  }

  /** Sends every gathered change now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const all = this.pending;
    if (all.size === 0) return;
    this.pending = new Map();
    // One pipeline: the commands go out in one write to the socket, not one each.
    const pipe = this.r.client.pipeline();
    for (const [ws, p] of all) {
      const key = this.keys.taskRouterWorkspace(ws);
      const set: string[] = [];
      const del: string[] = [];
      for (const [sid, record] of p.records) {
        if (record) set.push(sid, JSON.stringify(record));
        else del.push(sid);
      }
      if (set.length > 0) pipe.hset(key, ...set);
      if (del.length > 0) pipe.hdel(key, ...del);
      if (p.events.length > 0) {
        const events = this.eventsKey(ws);
        pipe.rpush(events, JSON.stringify(p.events));
        const drop = this.counted(ws, p.events.length, p.keep);
        if (drop > 0) pipe.ltrim(events, drop, -1);
      }
    }
    this.r.write(
      'taskrouter',
      pipe.exec().then((results) => {
        const failed = results?.find(([err]) => err);
        if (failed) throw failed[0] as Error;
      }),
    );
  }

  /** After an assignment pass: what was gathered goes in one pipeline, once it has been gathering for a moment. */
  idle(): void {
    if (this.pending.size > 0 && performance.now() - this.since >= IDLE_SEND_MS) this.flush();
  }

  load(): Promise<TaskRouterRecord[]> {
    this.flush();
    return this.r.read('taskrouter', async () => {
      const sids = await this.r.client.smembers(this.keys.taskRouterWorkspaces());
      const out: TaskRouterRecord[] = [];
      for (const ws of sids) {
        const all = await this.r.client.hvals(this.keys.taskRouterWorkspace(ws));
        const old: EventRecord[] = [];
        for (const v of all) {
          const r = JSON.parse(v) as TaskRouterRecord;
          if (r.kind === 'event') old.push(r);
          else out.push(r);
        }
        if (old.length > 0) await this.moveOldEvents(ws, old);
        const list = { counts: [] as number[], total: 0 };
        for (const v of await this.r.client.lrange(this.eventsKey(ws), 0, -1)) {
          const events = JSON.parse(v) as EventRecord[];
          for (const e of events) out.push(e);
          list.counts.push(events.length);
          list.total += events.length;
        }
        this.lists.set(ws, list);
      }
      return out;
    });
  }

  /** Events an earlier version kept in the workspace's hash go to the front of its list (they are older), as one element. */
  private async moveOldEvents(ws: string, old: EventRecord[]): Promise<void> {
    old.sort((a, b) => a.eventDate - b.eventDate);
    await this.r.client.lpush(this.eventsKey(ws), JSON.stringify(old));
    await this.r.client.hdel(this.keys.taskRouterWorkspace(ws), ...old.map((e) => e.sid));
  }

  /** A new element of `added` events at the list's end: how many elements go from its head so that the rest still hold `keep`. */
  private counted(ws: string, added: number, keep: number): number {
    let list = this.lists.get(ws);
    if (!list) this.lists.set(ws, (list = { counts: [], total: 0 }));
    list.counts.push(added);
    list.total += added;
    let drop = 0;
    while (drop < list.counts.length - 1 && list.total - list.counts[drop]! >= keep) list.total -= list.counts[drop++]!;
    if (drop > 0) list.counts.splice(0, drop);
    return drop;
  }

  private eventsKey(ws: string): string {
    return `${this.keys.taskRouterWorkspace(ws)}:events`;
  }

  private of(ws: string): Pending {
    let p = this.pending.get(ws);
    if (!p) this.pending.set(ws, (p = { records: new Map(), events: [], keep: Infinity }));
    if (!this.timer) {
      this.since = performance.now();
      this.timer = setTimeout(() => this.flush(), SEND_MS);
    }
    return p;
  }
}
