import { badParameter } from './api-errors.js';
import { single, type RequestParams } from './request-params.js';

/**
 * Paging of list answers as Twilio's 2010-04-01 API does it: PageSize, Page,
 * and an opaque PageToken in next_page_uri / previous_page_uri. The token
 * holds the position (creation time and sid) of the last (first) item of the
 * page it came from, so a client that follows next_page_uri sees every item
 * once even when new items arrive between its requests.
 */

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** Where an item sits in a list: newest first, then by sid, descending. */
export interface PageKey {
  time: number;
  sid: string;
}

interface PageToken {
  direction: 'after' | 'before';
  key: PageKey;
}

export interface PageRequest {
  pageSize: number;
  page: number;
  token?: PageToken;
  /** The PageToken parameter as given, for the page's own uri. */
  rawToken?: string;
}

/** Negative when `a` comes first in a list (newer, or same time and greater sid). */
export function compareKeys(a: PageKey, b: PageKey): number {
  if (a.time !== b.time) return b.time - a.time;
  return a.sid === b.sid ? 0 : a.sid > b.sid ? -1 : 1;
}

function encodeToken(direction: PageToken['direction'], key: PageKey): string {
  return (direction === 'after' ? 'PA' : 'PB') + Buffer.from(`${key.time}:${key.sid}`, 'utf8').toString('base64url');
}

function decodeToken(text: string): PageToken {
  const prefix = text.slice(0, 2);
  const decoded = Buffer.from(text.slice(2), 'base64url').toString('utf8');
  const match = /^(-?\d{1,16}):(.+)$/s.exec(decoded);
  if ((prefix !== 'PA' && prefix !== 'PB') || !match) throw badParameter('PageToken is not valid');
  return { direction: prefix === 'PA' ? 'after' : 'before', key: { time: Number(match[1]), sid: match[2] as string } };
}

function integerParam(params: RequestParams, name: string, min: number, max: number, fallback: number): number {
  const text = single(params, name);
  if (text === undefined) return fallback;
  const value = /^\s*\d{1,9}\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) throw badParameter(`${name} must be an integer from ${min} to ${max}`);
  return value;
}

export function parsePaging(params: RequestParams): PageRequest {
  const pageSize = integerParam(params, 'PageSize', 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
  const page = integerParam(params, 'Page', 0, 999_999_999, 0);
  const rawToken = single(params, 'PageToken');
  if (rawToken === undefined || rawToken === '') return { pageSize, page };
  return { pageSize, page, token: decodeToken(rawToken), rawToken };
}

export interface Page<T> {
  items: T[];
  hasNext: boolean;
  hasPrevious: boolean;
}

/** Cuts the page asked for out of a whole list; `all` is sorted here by compareKeys. */
export function cutPage<T>(all: readonly T[], request: PageRequest, keyOf: (item: T) => PageKey): Page<T> {
  const sorted = [...all].sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
  const { pageSize, token } = request;
  if (token === undefined) {
    const offset = request.page * pageSize;
    return { items: sorted.slice(offset, offset + pageSize), hasNext: offset + pageSize < sorted.length, hasPrevious: offset > 0 };
  }
  if (token.direction === 'after') {
    const first = sorted.findIndex((item) => compareKeys(keyOf(item), token.key) > 0);
    const from = first < 0 ? sorted.length : first;
    return { items: sorted.slice(from, from + pageSize), hasNext: from + pageSize < sorted.length, hasPrevious: from > 0 };
  }
  const firstNotBefore = sorted.findIndex((item) => compareKeys(keyOf(item), token.key) >= 0);
  const end = firstNotBefore < 0 ? sorted.length : firstNotBefore;
  const from = Math.max(0, end - pageSize);
  return { items: sorted.slice(from, end), hasNext: end < sorted.length, hasPrevious: from > 0 };
}

/** The paging fields of a list answer (the items go beside them under their own key). */
export interface PageMeta {
  first_page_uri: string;
  next_page_uri: string | null;
  previous_page_uri: string | null;
  page: number;
  page_size: number;
  start: number;
  end: number;
  uri: string;
}

function pageUri(path: string, filters: readonly (readonly [string, string])[], pageSize: number, page: number, token?: string): string {
  const pairs: (readonly [string, string])[] = [...filters, ['PageSize', String(pageSize)], ['Page', String(page)]];
  if (token !== undefined) pairs.push(['PageToken', token]);
  return `${path}?${pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&')}`;
}

/**
 * The paging fields for `page`, its links carrying the list's filters.
 * `filterNames` lists the parameters that filter the list, in link order.
 */
export function pageMeta<T>(
  path: string,
  params: RequestParams,
  filterNames: readonly string[],
  request: PageRequest,
  page: Page<T>,
  keyOf: (item: T) => PageKey,
): PageMeta {
  const filters: [string, string][] = [];
  for (const name of filterNames) {
    const value = single(params, name);
    if (value !== undefined) filters.push([name, value]);
  }
  const { pageSize } = request;
  const firstItem = page.items[0];
  const lastItem = page.items[page.items.length - 1];
  const next = page.hasNext && lastItem !== undefined ? pageUri(path, filters, pageSize, request.page + 1, encodeToken('after', keyOf(lastItem))) : null;
  let previous: string | null = null;
  if (page.hasPrevious) {
    const previousPage = Math.max(0, request.page - 1);
    previous =
      firstItem !== undefined
        ? pageUri(path, filters, pageSize, previousPage, encodeToken('before', keyOf(firstItem)))
        : pageUri(path, filters, pageSize, previousPage);
  }
  const start = request.page * pageSize;
  return {
    first_page_uri: pageUri(path, filters, pageSize, 0),
    next_page_uri: next,
    previous_page_uri: previous,
    page: request.page,
    page_size: pageSize,
    start,
    end: page.items.length > 0 ? start + page.items.length - 1 : start,
    uri: pageUri(path, filters, pageSize, request.page, request.rawToken),
  };
}
