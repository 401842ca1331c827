/**
 * Which rows of TaskRouter's record log still hold a record's latest
 * version. Each write appends one row per workspace with the records it
 * changed; a record written again later lives on in the newer row, and a
 * row none of whose records lives there any more can go. (A row that holds
 * the last version of a completed task stays: that task is still kept.)
 *
 * A removed record is written as a tombstone, which lives in its row like
 * a record, so that the older versions it hides are never read back alone.
 */
export class LiveRows {
  /** sid -> the row holding its latest version (or its tombstone). */
  private readonly latest = new Map<string, number>();
  /** row id -> how many sids' latest versions it holds. */
  private readonly live = new Map<number, number>();
  private dead: number[] = [];

  /** Row `row` holds these sids' latest versions now. */
  wrote(row: number, sids: Iterable<string>): void {
    let count = 0;
    for (const sid of sids) {
      const before = this.latest.get(sid);
      if (before !== undefined && before !== row) this.release(before);
      this.latest.set(sid, row);
      count++;
    }
    this.live.set(row, (this.live.get(row) ?? 0) + count);
  }

  /** The rows nothing lives in any more, since the last call. */
  takeDead(): number[] {
    const d = this.dead;
    this.dead = [];
    return d;
  }

  /** How many rows are known, and how many sids live in them. */
  get size(): { rows: number; sids: number } {
    return { rows: this.live.size, sids: this.latest.size };
  }

  clear(): void {
    this.latest.clear();
    this.live.clear();
    this.dead = [];
  }

  private release(row: number): void {
    const n = (this.live.get(row) ?? 0) - 1;
    if (n > 0) this.live.set(row, n);
    else {
      this.live.delete(row);
      this.dead.push(row);
    }
  }
}
