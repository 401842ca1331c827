import { cutPage, pageMeta, parsePaging, type PageKey } from '../paging.js';
import type { RequestParams } from '../request-params.js';

/** The `meta` of a v1 list answer, with absolute URLs (the twilio library follows `next_page_url` as it is). */
export interface V1Meta {
  page: number;
  page_size: number;
  first_page_url: string;
  previous_page_url: string | null;
  url: string;
  next_page_url: string | null;
  key: string;
}

/** Oldest first (the order configuration resources are listed in). */
export const oldestFirst = (item: { sid: string; dateCreated: number }): PageKey => ({ time: -item.dateCreated, sid: item.sid });
/** Newest first (tasks, reservations). */
export const newestFirst = (item: { sid: string; dateCreated: number }): PageKey => ({ time: item.dateCreated, sid: item.sid });

export interface ListRequest<T> {
  /** The API's public base URL. */
  base: string;
  /** The list's path, e.g. /v1/Workspaces/WS.../Workers. */
  path: string;
  /** The key the items go under, as Twilio names it (meta.key). */
  key: string;
  params: RequestParams;
  /** The parameters that filter the list, carried in the paging links (each given at most once). */
  filterNames: readonly string[];
  items: readonly T[];
  keyOf: (item: T) => PageKey;
  toJson: (item: T) => unknown;
}

/**
 * A v1 list answer: `{ <key>: [...], meta: {...} }`, paged with PageSize,
 * Page and PageToken as the 2010-04-01 lists are (engine/api/paging.ts),
 * so that following next_page_url sees every item once.
 */
export function v1List<T>(req: ListRequest<T>): Record<string, unknown> {
  const paging = parsePaging(req.params);
  const page = cutPage(req.items, paging, req.keyOf);
  const m = pageMeta(req.path, req.params, req.filterNames, paging, page, req.keyOf);
  const abs = (uri: string | null): string | null => (uri === null ? null : req.base + uri);
  const meta: V1Meta = {
    page: m.page,
    page_size: m.page_size,
    first_page_url: req.base + m.first_page_uri,
    previous_page_url: abs(m.previous_page_uri),
    url: req.base + m.uri,
    next_page_url: abs(m.next_page_uri),
    key: req.key,
  };
  return { [req.key]: page.items.map(req.toJson), meta };
}
