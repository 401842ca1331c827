import type { PageKey } from '../../api/paging.js';
import { isPast, type ScanRequest } from '../ordered-pages.js';
import type { RedisClient } from './redis-connection.js';

/** How a sorted set of sids (scored by creation time) leads to records. */
export interface IndexedRecords<T> {
  client: RedisClient;
  /** The sorted set: member sid, score creation time in ms. */
  index: string;
  /** The records of these sids, undefined where one has expired. */
  fetch(sids: readonly string[]): Promise<(T | undefined)[]>;
  matches(record: T): boolean;
}

/**
 * A scan over a sorted set in list order (score descending, then member
 * descending, which is how Redis orders ties in a reverse range), fetching
 * records a chunk at a time and keeping those that match. Members whose
 * record has expired are dropped from the set on the way.
 */
export async function scanIndex<T>(src: IndexedRecords<T>, req: ScanRequest): Promise<T[]> {
  const out: T[] = [];
  const gone: string[] = [];
  let skip = req.offset ?? 0;
  const chunk = Math.min(1000, Math.max(50, (req.limit + skip) * 2));
  const older = req.direction === 'older';
  const bound = req.from ? String(req.from.key.time) : older ? '+inf' : '-inf';
  for (let offset = 0; out.length < req.limit; offset += chunk) {
    const flat = older
      ? await src.client.zrevrangebyscore(src.index, bound, '-inf', 'WITHSCORES', 'LIMIT', offset, chunk)
      : await src.client.zrangebyscore(src.index, bound, '+inf', 'WITHSCORES', 'LIMIT', offset, chunk);
    const keys: PageKey[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) keys.push({ sid: flat[i] as string, time: Number(flat[i + 1]) });
    const wanted = req.from ? keys.filter((k) => isPast(k, req.from as NonNullable<ScanRequest['from']>, req.direction)) : keys;
    const records = await src.fetch(wanted.map((k) => k.sid));
    records.forEach((record, i) => {
      if (record === undefined) gone.push((wanted[i] as PageKey).sid);
      else if (src.matches(record) && out.length < req.limit) {
        if (skip > 0) skip--;
        else out.push(record);
      }
    });
    if (keys.length < chunk) break;
  }
  // After the scan, so that the offsets of its ranges stay put.
  if (gone.length > 0) void src.client.zrem(src.index, ...gone).catch(() => undefined);
  return out;
}

/** Values of string keys, one GET each (pipelined; keys of a Cluster may live on different nodes). */
export async function getAll(client: RedisClient, keys: readonly string[]): Promise<(string | null)[]> {
  return Promise.all(keys.map((k) => client.get(k)));
}
