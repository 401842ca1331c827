import { badParameter } from '../api-errors.js';
import { httpUrl, optionalBool } from '../param-readers.js';
import { every, nonEmpty, single, type RequestParams } from '../request-params.js';
import { ExpressionError, parseExpression, type Expression } from '../../taskrouter/expression/index.js';
import type { AssignmentStatus, TaskOrder } from '../../taskrouter/records.js';

/** Readers of TaskRouter's REST parameters; each failure is a 400 naming the parameter. */

export { optionalBool as flag, nonEmpty as text, single as raw, httpUrl };

/** A whole number within [min, max], or undefined when absent. */
export function integer(params: RequestParams, name: string, min: number, max: number): number | undefined {
  const text = nonEmpty(params, name);
  if (text === undefined) return undefined;
  const value = /^-?\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!(Number.isSafeInteger(value) && value >= min && value <= max)) throw badParameter(`${name} must be an integer from ${min} to ${max}, not "${text.slice(0, 20)}"`);
  return value;
}

/** One of `values` (any case given, answered as written in `values`), or undefined when absent. */
export function oneOf<T extends string>(params: RequestParams, name: string, values: readonly T[]): T | undefined {
  const text = nonEmpty(params, name);
  if (text === undefined) return undefined;
  const found = values.find((v) => v.toLowerCase() === text.toLowerCase());
  if (found === undefined) throw badParameter(`${name} must be one of ${values.join(', ')}, not "${text.slice(0, 40)}"`);
  return found;
}

export const taskOrder = (params: RequestParams, name: string): TaskOrder | undefined => oneOf(params, name, ['FIFO', 'LIFO'] as const);

export const ASSIGNMENT_STATUSES: readonly AssignmentStatus[] = ['pending', 'reserved', 'assigned', 'wrapping', 'completed', 'canceled'];

/** Every value of a parameter that may be repeated, each also split at commas (the form the paging links carry). */
export function list(params: RequestParams, name: string): string[] {
  return every(params, name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** An ISO 8601 date-time with a zone, or a date (the start of that UTC day); ms since the epoch. */
export function dateTime(params: RequestParams, name: string): number | undefined {
  const text = nonEmpty(params, name);
  if (text === undefined) return undefined;
  const ms = DATE.test(text) ? Date.parse(`${text}T00:00:00Z`) : DATE_TIME.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw badParameter(`${name} must be an ISO 8601 date-time such as 2026-12-07T21:00:00Z, not "${text.slice(0, 40)}"`);
  return ms;
}

/** A JSON object given as text (Attributes, EvaluateWorkerAttributes), checked; undefined when absent. */
export function jsonObject(params: RequestParams, name: string): string | undefined {
  const text = single(params, name);
  if (text === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw badParameter(`${name} is not JSON: ${(err as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badParameter(`${name} must be a JSON object`);
  return text;
}

/** A TaskRouter expression (TargetWorkersExpression, EvaluateTaskAttributes), parsed; the 400 says where it is wrong. */
export function expression(params: RequestParams, name: string): Expression | undefined {
  const text = nonEmpty(params, name);
  if (text === undefined) return undefined;
  try {
    return parseExpression(text);
  } catch (err) {
    if (err instanceof ExpressionError) throw badParameter(`${name}: ${err.message}`);
    throw err;
  }
}

/** The first value of every parameter (for instructionFromParams). */
export function firstValues(params: RequestParams): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(params)) out[name] = typeof value === 'string' ? value : value?.[0];
  return out;
}
