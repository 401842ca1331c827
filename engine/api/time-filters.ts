import { badParameter } from './api-errors.js';
import { single, type RequestParams } from './request-params.js';

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** A date parameter: the UTC day it names, and the instant when it gave one. */
interface DateValue {
  dayStart: number;
  instant?: number;
}

function validDay(year: string, month: string, day: string): number | undefined {
  const ms = Date.UTC(Number(year), Number(month) - 1, Number(day));
  const back = new Date(ms);
  const same = back.getUTCFullYear() === Number(year) && back.getUTCMonth() === Number(month) - 1 && back.getUTCDate() === Number(day);
  return same ? ms : undefined;
}

/**
 * A date as YYYY-MM-DD (a UTC day, as Twilio documents it), or an ISO 8601
 * date-time with a zone (what the twilio library sends for a Date).
 */
function parseDateValue(name: string, text: string): DateValue {
  const trimmed = text.trim();
  const date = DATE.exec(trimmed);
  if (date) {
    const dayStart = validDay(date[1] as string, date[2] as string, date[3] as string);
    if (dayStart !== undefined) return { dayStart };
  } else if (DATE_TIME.test(trimmed)) {
    const instant = Date.parse(trimmed.replace(' ', 'T'));
    const [y, m, d] = trimmed.slice(0, 10).split('-') as [string, string, string];
    if (!Number.isNaN(instant) && validDay(y, m, d) !== undefined) {
      return { dayStart: Math.floor(instant / DAY_MS) * DAY_MS, instant };
    }
  }
  throw badParameter(`${name} must be a date as YYYY-MM-DD or an ISO 8601 date-time, not "${text.slice(0, 40)}"`);
}

/** A time window: on or after `after`, strictly before `before`. */
export interface TimeWindow {
  after?: Date;
  before?: Date;
}

/**
 * The date filters of a list: `Name=D` (that UTC day; for a date-time, the
 * UTC day it falls on), `Name<=D` and `Name>=D` (sent as the parameter names
 * "Name<" and "Name>": on or before, on or after). A day bound covers the whole
 * day; a date-time bound is the instant. Several bounds intersect.
 */
export function parseTimeWindow(params: RequestParams, name: string): TimeWindow {
  let after: number | undefined;
  let before: number | undefined;
  const raise = (ms: number): void => void (after = after === undefined ? ms : Math.max(after, ms));
  const lower = (ms: number): void => void (before = before === undefined ? ms : Math.min(before, ms));

  const exact = single(params, name);
  if (exact !== undefined) {
    const v = parseDateValue(name, exact);
    raise(v.dayStart);
    lower(v.dayStart + DAY_MS);
  }
  const onOrBefore = single(params, `${name}<`);
  if (onOrBefore !== undefined) {
    const v = parseDateValue(`${name}<`, onOrBefore);
    lower(v.instant !== undefined ? v.instant + 1 : v.dayStart + DAY_MS);
  }
  const onOrAfter = single(params, `${name}>`);
  if (onOrAfter !== undefined) {
    const v = parseDateValue(`${name}>`, onOrAfter);
    raise(v.instant ?? v.dayStart);
  }
  return {
    ...(after !== undefined ? { after: new Date(after) } : {}),
    ...(before !== undefined ? { before: new Date(before) } : {}),
  };
}
