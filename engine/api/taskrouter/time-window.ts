import { badParameter } from '../api-errors.js';
import type { RequestParams } from '../request-params.js';
import { dateTime, integer } from './params.js';

/** A period of time, ms since the epoch: [start, end]. */
export interface Window {
  start: number;
  end: number;
}

/** Twilio's default period for cumulative statistics: the last 15 minutes. */
export const DEFAULT_MINUTES = 15;
/** The longest period that may be asked for: 30 days (TaskRouter keeps events 30 days). */
const MAX_MINUTES = 43_200;

/**
 * The period Minutes, StartDate and EndDate name: StartDate..EndDate (EndDate
 * defaults to now), or the last Minutes before EndDate; without any of
 * them, `fallbackMinutes` before now (undefined: no period at all).
 */
export function timeWindow(params: RequestParams, now: number, fallbackMinutes: number | undefined): Window | undefined {
  const minutes = integer(params, 'Minutes', 1, MAX_MINUTES);
  const start = dateTime(params, 'StartDate');
  const end = dateTime(params, 'EndDate');
  if (minutes !== undefined && start !== undefined) throw badParameter('Minutes cannot be given together with StartDate');
  if (minutes === undefined && start === undefined && end === undefined) {
    return fallbackMinutes === undefined ? undefined : { start: now - fallbackMinutes * 60_000, end: now };
  }
  const until = end ?? now;
  const from = start ?? until - (minutes ?? DEFAULT_MINUTES) * 60_000;
  if (from > until) throw badParameter('StartDate must not be after EndDate');
  return { start: from, end: until };
}
