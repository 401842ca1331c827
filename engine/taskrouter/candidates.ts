import type { LiveWorker, WorkspaceState } from './workspace-state.js';

/**
 * The workers a task could be offered to, kept up to date instead of
 * searched for: per queue and channel, the queue's members that are in an
 * available activity and have room on the channel. The assigner then only
 * looks at workers that can take the task (a busy worker is not scanned
 * again and again while tasks wait), and the count of workers with room on
 * any channel tells a pass at once whether anyone can take anything.
 *
 * A queue's set for a channel is built the first time a task of that
 * channel looks at it, and then follows each worker's changes: the state
 * calls `touch` whenever a worker's activity, membership, load, capacity
 * or time of last activity changes, and `reset` when something that
 * decides it for every worker changes (a queue's TargetWorkers, the
 * workspace's MultiTaskEnabled).
 *
 * Each set is kept in order of the workers' last activity, the longest
 * idle first: a worker comes back with the newest time (it just finished a
 * task), so it goes at the end; one that comes back with an older time
 * (a reservation it rejected) marks the set for sorting again when next
 * asked for. The assigner can then stop at the first worker that fits
 * when the target has no order_by.
 */
interface Eligible {
  readonly members: Set<LiveWorker>;
  /** The newest last-activity time in it, and whether it is still in order. */
  lastAt: number;
  ordered: boolean;
}

export class Candidates {
  /** queue sid -> channel sid -> the eligible workers. */
  private readonly sets = new Map<string, Map<string, Eligible>>();
  /** Workers in an available activity with room on some channel (undefined: to be counted again). */
  private free: Set<LiveWorker> | undefined;

  constructor(private readonly state: WorkspaceState) {}

  /** The members of the queue that can take a task of the channel now, the longest idle first. */
  of(queueSid: string, channelSid: string): ReadonlySet<LiveWorker> {
    let byChannel = this.sets.get(queueSid);
    if (!byChannel) this.sets.set(queueSid, (byChannel = new Map()));
    let e = byChannel.get(channelSid);
    if (!e) {
      const list: LiveWorker[] = [];
      const q = this.state.queues.get(queueSid);
      if (q) {
        for (const sid of q.members) {
          const w = this.state.workers.get(sid);
          if (w && this.eligible(w, channelSid)) list.push(w);
        }
      }
      e = sorted(list);
      byChannel.set(channelSid, e);
    } else if (!e.ordered) {
      e = sorted([...e.members]);
      byChannel.set(channelSid, e);
    }
    return e.members;
  }

  /** How many workers can take a task of some channel now. */
  freeCount(): number {
    if (!this.free) {
      this.free = new Set();
      for (const w of this.state.workers.values()) if (this.hasAnyRoom(w)) this.free.add(w);
    }
    return this.free.size;
  }

  /** The worker changed (activity, membership, load, capacity): its place in every set follows. */
  touch(w: LiveWorker): void {
    const available = this.state.isAvailable(w);
    const at = w.record.lastActivityAt;
    // Its time changed since it was placed: where it is in the sets is out of date.
    const moved = w.placedAt !== at;
    w.placedAt = at;
    for (const [queueSid, byChannel] of this.sets) {
      const member = available && this.state.queues.get(queueSid)?.members.has(w.record.sid) === true;
      for (const [channelSid, e] of byChannel) {
        if (!member || !this.state.hasRoom(w, channelSid)) e.members.delete(w);
        else if (moved || !e.members.has(w)) {
          e.members.delete(w);
          e.members.add(w);
          if (at < e.lastAt) e.ordered = false;
          else e.lastAt = at;
        }
      }
    }
    if (this.free) {
      if (available && w.totalLoad < this.state.totalCapacity(w)) this.free.add(w);
      else this.free.delete(w);
    }
  }

  /** The worker is gone. */
  drop(w: LiveWorker): void {
    for (const byChannel of this.sets.values()) for (const e of byChannel.values()) e.members.delete(w);
    this.free?.delete(w);
  }

  /** A queue's members changed wholesale (or it is gone): its sets are built again when next asked. */
  resetQueue(queueSid: string): void {
    this.sets.delete(queueSid);
  }

  /** Something that decides every worker's room changed: everything is worked out again when next asked. */
  reset(): void {
    this.sets.clear();
    this.free = undefined;
  }

  private eligible(w: LiveWorker, channelSid: string): boolean {
    return this.state.isAvailable(w) && this.state.hasRoom(w, channelSid);
  }

  private hasAnyRoom(w: LiveWorker): boolean {
    return this.state.isAvailable(w) && w.totalLoad < this.state.totalCapacity(w);
  }
}

/** A set of the workers in order of last activity (the sort keeps the order of equal times). */
function sorted(list: LiveWorker[]): Eligible {
  list.sort((a, b) => a.record.lastActivityAt - b.record.lastActivityAt);
  for (const w of list) w.placedAt = w.record.lastActivityAt;
  return { members: new Set(list), lastAt: list.length > 0 ? list[list.length - 1]!.record.lastActivityAt : -Infinity, ordered: true };
}
