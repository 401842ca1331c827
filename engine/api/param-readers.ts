import type { HttpMethod } from '../../instructions/attributes.js';
import { badParameter, ErrorCode } from './api-errors.js';
import { isHttpUrl } from './call-address.js';
import { nonEmpty, type RequestParams } from './request-params.js';

/** Readers of single REST parameters (Twilio's forms); each failure is a 400 naming the parameter. */

/** GET or POST (any case); POST when absent. */
export function method(params: RequestParams, name: string): HttpMethod {
  const value = nonEmpty(params, name);
  if (value === undefined) return 'POST';
  const upper = value.toUpperCase();
  if (upper !== 'GET' && upper !== 'POST') throw badParameter(`${name} must be GET or POST, not "${value.slice(0, 20)}"`);
  return upper;
}

/** An http(s) URL, or undefined when absent. */
export function httpUrl(params: RequestParams, name: string, code: number = ErrorCode.InvalidParameter): string | undefined {
  const value = nonEmpty(params, name);
  if (value !== undefined && !isHttpUrl(value)) throw badParameter(`${name} is not a valid http or https URL: ${value.slice(0, 100)}`, code);
  return value;
}

/** true or false (any case); false when absent. */
export function bool(params: RequestParams, name: string): boolean {
  const value = nonEmpty(params, name);
  if (value === undefined) return false;
  const lower = value.toLowerCase();
  if (lower !== 'true' && lower !== 'false') throw badParameter(`${name} must be true or false`);
  return lower === 'true';
}

/** true or false, or undefined when absent. */
export function optionalBool(params: RequestParams, name: string): boolean | undefined {
  return nonEmpty(params, name) === undefined ? undefined : bool(params, name);
}

/** One of `values` (any case), `fallback` when absent. */
export function choice<T extends string>(params: RequestParams, name: string, values: readonly T[], fallback: T): T {
  const value = nonEmpty(params, name);
  if (value === undefined) return fallback;
  const found = values.find((v) => v === value.toLowerCase());
  if (found === undefined) throw badParameter(`${name} must be one of ${values.join(', ')}, not "${value.slice(0, 20)}"`);
  return found;
}
