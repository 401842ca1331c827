import { CALL_STATUSES, type CallStatus } from '../calls/call-status.js';
import type { StatusEvent } from '../calls/status-events.js';
import { badParameter, ErrorCode } from './api-errors.js';
import { normalizeFrom, normalizeTo } from './call-address.js';
import type { CallFilter, CallRedirect, CreateCallParams } from './call-service.js';
import { bool, httpUrl, method } from './param-readers.js';
import { every, nonEmpty, single, type RequestParams } from './request-params.js';
import { parseTimeWindow } from './time-filters.js';

/**
 * The parameters of the Calls resource (Twilio's names), checked and turned
 * into the CallService's terms. Every failure is a 400 naming the parameter.
 */

const STATUS_EVENTS: readonly StatusEvent[] = ['initiated', 'ringing', 'answered', 'completed'];
export const DEFAULT_TIMEOUT_SECONDS = 60;
export const MAX_TIMEOUT_SECONDS = 600;
export const DEFAULT_TIME_LIMIT_SECONDS = 14_400;
export const MAX_TIME_LIMIT_SECONDS = 86_400;

/** StatusCallbackEvent: repeated, and each value may also hold several events separated by spaces. */
function statusEvents(params: RequestParams): StatusEvent[] {
  const events = new Set<StatusEvent>();
  for (const value of every(params, 'StatusCallbackEvent')) {
    for (const word of value.split(/[\s,]+/)) {
      if (word === '') continue;
      const event = STATUS_EVENTS.find((e) => e === word.toLowerCase());
      if (!event) throw badParameter(`StatusCallbackEvent must be one of ${STATUS_EVENTS.join(', ')}, not "${word.slice(0, 20)}"`);
      events.add(event);
    }
  }
  // Twilio sends only "completed" unless other events are asked for.
  return events.size > 0 ? STATUS_EVENTS.filter((e) => events.has(e)) : ['completed'];
}

function timeout(params: RequestParams): number {
  const value = nonEmpty(params, 'Timeout');
  if (value === undefined) return DEFAULT_TIMEOUT_SECONDS;
  const seconds = /^\d{1,4}$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds >= 1 && seconds <= MAX_TIMEOUT_SECONDS)) throw badParameter(`Timeout must be an integer from 1 to ${MAX_TIMEOUT_SECONDS}`);
  return seconds;
}

/** SendDigits: keys to press once the call is answered (w: half a second's pause), at most 32. */
function sendDigits(params: RequestParams): string | undefined {
  const value = nonEmpty(params, 'SendDigits');
  if (value !== undefined && !/^[0-9*#wW]{1,32}$/.test(value)) throw badParameter('SendDigits may hold only 0-9, *, # and w (a half-second pause), at most 32 of them');
  return value;
}

/** TimeLimit: the longest the call may last, in seconds; four hours by default, as on Twilio. */
function timeLimit(params: RequestParams): number {
  const value = nonEmpty(params, 'TimeLimit');
  if (value === undefined) return DEFAULT_TIME_LIMIT_SECONDS;
  const seconds = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds >= 1 && seconds <= MAX_TIME_LIMIT_SECONDS)) throw badParameter(`TimeLimit must be an integer from 1 to ${MAX_TIME_LIMIT_SECONDS}`);
  return seconds;
}

/** Url or Twiml, exactly one. */
function instructions(params: RequestParams): { url: string } | { twiml: string } | undefined {
  const url = httpUrl(params, 'Url', ErrorCode.InvalidUrl);
  const twiml = nonEmpty(params, 'Twiml');
  if (url !== undefined && twiml !== undefined) throw badParameter('Give only one of Url and Twiml', ErrorCode.InvalidUrl);
  if (url !== undefined) return { url };
  if (twiml !== undefined) return { twiml };
  return undefined;
}

/** POST /Calls.json */
export function parseCreateCall(accountSid: string, params: RequestParams): CreateCallParams {
  const toText = nonEmpty(params, 'To');
  if (toText === undefined) throw badParameter('Required parameter To is missing.', ErrorCode.MissingTo);
  const to = normalizeTo(toText);
  if (to === undefined) throw badParameter(`The 'To' number ${toText.slice(0, 100)} is not a valid phone number or SIP URI.`, ErrorCode.InvalidTo);
  const fromText = nonEmpty(params, 'From');
  if (fromText === undefined) throw badParameter('Required parameter From is missing.', ErrorCode.MissingFrom);
  const from = normalizeFrom(fromText);
  if (from === undefined) throw badParameter(`The 'From' number ${fromText.slice(0, 100)} is not a valid phone number, SIP URI or user name.`, ErrorCode.InvalidFrom);
  if (nonEmpty(params, 'ApplicationSid') !== undefined) {
    throw badParameter('ApplicationSid is not supported; give Url or Twiml', ErrorCode.InvalidParameter);
  }
  const what = instructions(params);
  if (what === undefined) throw badParameter('Either Url or Twiml is required', ErrorCode.InvalidUrl);
  const fallbackUrl = httpUrl(params, 'FallbackUrl');
  const statusCallback = httpUrl(params, 'StatusCallback');
  const sipAuthUsername = nonEmpty(params, 'SipAuthUsername');
  const sipAuthPassword = single(params, 'SipAuthPassword');
  const digits = sendDigits(params);
  return {
    accountSid,
    to,
    from,
    ...what,
    method: method(params, 'Method'),
    ...(fallbackUrl !== undefined ? { fallbackUrl } : {}),
    fallbackMethod: method(params, 'FallbackMethod'),
    ...(statusCallback !== undefined ? { statusCallback } : {}),
    statusCallbackMethod: method(params, 'StatusCallbackMethod'),
    statusCallbackEvents: statusEvents(params),
    timeoutSeconds: timeout(params),
    record: bool(params, 'Record'),
    ...(digits !== undefined ? { sendDigits: digits } : {}),
    timeLimitSeconds: timeLimit(params),
    ...(sipAuthUsername !== undefined ? { sipAuthUsername } : {}),
    ...(sipAuthPassword !== undefined && sipAuthPassword !== '' ? { sipAuthPassword } : {}),
  };
}

/** What POST /Calls/{CallSid}.json asks for. */
export type CallUpdate = { kind: 'redirect'; to: CallRedirect } | { kind: 'end'; status: 'completed' | 'canceled' } | { kind: 'none' };

/** POST /Calls/{CallSid}.json */
export function parseUpdateCall(params: RequestParams): CallUpdate {
  const status = nonEmpty(params, 'Status');
  const what = instructions(params);
  // FallbackUrl, FallbackMethod, StatusCallback and StatusCallbackMethod are
  // checked but not applied: a live call keeps the callbacks it started with.
  httpUrl(params, 'FallbackUrl');
  method(params, 'FallbackMethod');
  httpUrl(params, 'StatusCallback');
  method(params, 'StatusCallbackMethod');
  if (status !== undefined) {
    if (status !== 'completed' && status !== 'canceled') throw badParameter(`Status must be completed or canceled, not "${status.slice(0, 20)}"`);
    if (what !== undefined) throw badParameter('Give either Status or Url/Twiml, not both');
    return { kind: 'end', status };
  }
  if (what === undefined) return { kind: 'none' };
  if ('url' in what) return { kind: 'redirect', to: { url: what.url, method: method(params, 'Method') } };
  return { kind: 'redirect', to: { twiml: what.twiml } };
}

/** The filters of GET /Calls.json, in the order next_page_uri repeats them. */
export const CALL_FILTER_PARAMS = ['To', 'From', 'Status', 'ParentCallSid', 'StartTime', 'StartTime<', 'StartTime>'] as const;

/** GET /Calls.json */
export function parseCallFilter(params: RequestParams): CallFilter {
  for (const unsupported of ['EndTime', 'EndTime<', 'EndTime>']) {
    if (single(params, unsupported) !== undefined) throw badParameter(`${unsupported} is not supported as a filter`);
  }
  const toText = nonEmpty(params, 'To');
  const fromText = nonEmpty(params, 'From');
  const statusText = nonEmpty(params, 'Status');
  let status: CallStatus | undefined;
  if (statusText !== undefined) {
    status = CALL_STATUSES.find((s) => s === statusText.toLowerCase());
    if (status === undefined) throw badParameter(`Status must be one of ${CALL_STATUSES.join(', ')}`);
  }
  const parentCallSid = nonEmpty(params, 'ParentCallSid');
  const window = parseTimeWindow(params, 'StartTime');
  return {
    // A filter that is not a valid address matches as written (and so finds nothing).
    ...(toText !== undefined ? { to: normalizeTo(toText) ?? toText } : {}),
    ...(fromText !== undefined ? { from: normalizeFrom(fromText) ?? fromText } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(parentCallSid !== undefined ? { parentCallSid } : {}),
    ...(window.after !== undefined ? { startedAfter: window.after } : {}),
    ...(window.before !== undefined ? { startedBefore: window.before } : {}),
  };
}
