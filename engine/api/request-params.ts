import { badParameter } from './api-errors.js';

/**
 * Request parameters as parsed from a query string or a form body: a name
 * given once maps to a string, a repeated name to the list of its values.
 */
export type RequestParams = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A parse error of a form body: answered 400. */
export class MalformedFormError extends Error {
  readonly statusCode = 400;
  constructor(message: string) {
    super(message);
    this.name = 'MalformedFormError';
  }
}

function decodeFormComponent(text: string): string {
  try {
    // WHATWG URL "application/x-www-form-urlencoded parser": '+' is a space, then percent-decoding.
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new MalformedFormError(`Malformed form body: bad percent-encoding in "${text.slice(0, 40)}"`);
  }
}

/**
 * Parses an application/x-www-form-urlencoded body strictly: a malformed
 * percent-escape is an error rather than text passed on. Names map to a
 * string, or to a list when repeated. The result has no prototype, so a name
 * such as "__proto__" is only a name.
 */
export function parseFormBody(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  if (body.length === 0) return out;
  for (const pair of body.split('&')) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const name = decodeFormComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeFormComponent(pair.slice(eq + 1));
    const previous = out[name];
    if (previous === undefined) out[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else out[name] = [previous, value];
  }
  return out;
}

const malformedQueries = new WeakMap<object, string>();

/**
 * The router's query string parser: parseFormBody, except that it never
 * throws (the router calls it outside any error handling); a malformed query
 * gives an empty object remembered as malformed, see malformedQuery.
 */
export function parseQueryString(query: string): Record<string, string | string[]> {
  try {
    return parseFormBody(query);
  } catch (err) {
    const empty: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
    malformedQueries.set(empty, err instanceof Error ? err.message.replace('form body', 'query string') : 'Malformed query string');
    return empty;
  }
}

/** Why a parsed query (from parseQueryString) was malformed; undefined when it was not. */
export function malformedQuery(query: unknown): string | undefined {
  return query !== null && typeof query === 'object' ? malformedQueries.get(query) : undefined;
}

/** The single value of `name`; 400 naming the parameter when it is repeated. */
export function single(params: RequestParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || typeof value === 'string') return value;
  if (value.length === 1) return value[0];
  throw badParameter(`Parameter ${name} may be given only once`);
}

/** The single value of `name`, with an empty value counted as absent. */
export function nonEmpty(params: RequestParams, name: string): string | undefined {
  const value = single(params, name);
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Every value of a parameter that may be repeated. */
export function every(params: RequestParams, name: string): readonly string[] {
  const value = params[name];
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

/** Parameters of a parsed query string or form body (anything else counts as none). */
export function toParams(source: unknown): RequestParams {
  const out: Record<string, string | readonly string[]> = Object.create(null) as Record<string, string | readonly string[]>;
  if (source === null || typeof source !== 'object') return out;
  for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[name] = value as string[];
  }
  return out;
}
