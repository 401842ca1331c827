import type { Page, PageKey, PageRequest } from '../api/paging.js';

/**
 * Paging over a store's ordered records, the same for every store: lists
 * run newest first (creation time, then sid, both descending), and a page
 * is asked for by number or by a PageToken holding the key of the last
 * (first) item of the page before (after) it. A store supplies one
 * operation, a scan from a position in either direction, and this module
 * turns a PageRequest into scans. The answers match engine/api/paging.ts's
 * cutPage over the whole list.
 */

export interface ScanRequest {
  /** 'older': down the list (towards the oldest); 'newer': up it, nearest first. */
  direction: 'older' | 'newer';
  /** Start past this key (or at it, when inclusive); from the newest end when absent. */
  from?: { key: PageKey; inclusive: boolean };
  /** Matching items to skip first. */
  offset?: number;
  limit: number;
}

/** Matching items in scan order. */
export type Scan<T> = (req: ScanRequest) => Promise<T[]>;

export async function pageOf<T>(scan: Scan<T>, request: PageRequest): Promise<Page<T>> {
  const { pageSize, token } = request;
  if (token === undefined) {
    const offset = request.page * pageSize;
    const items = await scan({ direction: 'older', offset, limit: pageSize + 1 });
    return { items: items.slice(0, pageSize), hasNext: items.length > pageSize, hasPrevious: offset > 0 };
  }
  const { key } = token;
  if (token.direction === 'after') {
    const [items, earlier] = await Promise.all([
      scan({ direction: 'older', from: { key, inclusive: false }, limit: pageSize + 1 }),
      scan({ direction: 'newer', from: { key, inclusive: true }, limit: 1 }),
    ]);
    return { items: items.slice(0, pageSize), hasNext: items.length > pageSize, hasPrevious: earlier.length > 0 };
  }
  const [nearestFirst, later] = await Promise.all([
    scan({ direction: 'newer', from: { key, inclusive: false }, limit: pageSize + 1 }),
    scan({ direction: 'older', from: { key, inclusive: true }, limit: 1 }),
  ]);
  return { items: nearestFirst.slice(0, pageSize).reverse(), hasNext: later.length > 0, hasPrevious: nearestFirst.length > pageSize };
}

/** Whether an item at `item` lies past `from` in `direction` (list order: newest first, then greater sid). */
export function isPast(item: PageKey, from: { key: PageKey; inclusive: boolean }, direction: ScanRequest['direction']): boolean {
  const { key, inclusive } = from;
  const cmp = item.time !== key.time ? item.time - key.time : item.sid === key.sid ? 0 : item.sid > key.sid ? 1 : -1;
  if (cmp === 0) return inclusive;
  return direction === 'older' ? cmp < 0 : cmp > 0;
}
