import { CALL_STATUSES, type CallStatus } from '../calls/call-status.js';
import type { StatusEvent } from '../calls/status-events.js';
import { badParameter, ErrorCode } from './api-errors.js';
import { normalizeCallerId, normalizeFrom, normalizeTo } from './call-address.js';
import type { CallFilter, CreateCallParams } from './call-service.js';
import { bool, httpUrl, method } from './param-readers.js';
import { every, nonEmpty, single, type RequestParams } from './request-params.js';
import { callRecordingParams } from './recording-params.js';
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
export const MAX_CALL_REASON_LENGTH = 255;

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

/** Url or Twiml, at most one (Url with code 21205 when it is not an http(s) URL). */
export function urlOrTwiml(params: RequestParams): { url: string } | { twiml: string } | undefined {
  const url = httpUrl(params, 'Url', ErrorCode.InvalidUrl);
  const twiml = nonEmpty(params, 'Twiml');
  if (url !== undefined && twiml !== undefined) throw badParameter('Give only one of Url and Twiml', ErrorCode.InvalidUrl);
  if (url !== undefined) return { url };
  if (twiml !== undefined) return { twiml };
  return undefined;
}

/** What a new call runs: Url, Twiml or ApplicationSid, exactly one. */
function instructions(params: RequestParams): { url: string } | { twiml: string } | { applicationSid: string } {
  const applicationSid = nonEmpty(params, 'ApplicationSid');
  const what = urlOrTwiml(params);
  if (applicationSid !== undefined && what !== undefined) throw badParameter('Give only one of Url, Twiml and ApplicationSid', ErrorCode.InvalidUrl);
  if (applicationSid !== undefined) return { applicationSid };
  if (what === undefined) throw badParameter('One of Url, Twiml and ApplicationSid is required', ErrorCode.InvalidUrl);
  return what;
}

/** CallerId: a phone number, a SIP address (name@company.com or a sip: URI), client:<name> or a user name. */
function callerId(params: RequestParams): string | undefined {
  const text = nonEmpty(params, 'CallerId');
  if (text === undefined) return undefined;
  const normalized = normalizeCallerId(text);
  if (normalized === undefined) throw badParameter(`CallerId ${text.slice(0, 100)} is not a valid phone number, SIP address or user name`);
  return normalized;
}

/** CallReason: up to 255 characters of text, no control characters (it becomes a SIP header). */
function callReason(params: RequestParams): string | undefined {
  const text = nonEmpty(params, 'CallReason');
  if (text === undefined) return undefined;
  const chars = [...text];
  if (chars.length > MAX_CALL_REASON_LENGTH) throw badParameter(`CallReason may be at most ${MAX_CALL_REASON_LENGTH} characters long`);
  if (chars.some((c) => c.charCodeAt(0) < 0x20 || c === '\x7f')) throw badParameter('CallReason may not hold control characters or line breaks');
  return text;
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
  const what = instructions(params);
  const fallbackUrl = httpUrl(params, 'FallbackUrl');
  const statusCallback = httpUrl(params, 'StatusCallback');
  const sipAuthUsername = nonEmpty(params, 'SipAuthUsername');
  const sipAuthPassword = single(params, 'SipAuthPassword');
  const digits = sendDigits(params);
  const caller = callerId(params);
  const reason = callReason(params);
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
    ...(bool(params, 'Record') ? { recording: callRecordingParams(params, true) } : {}),
    ...(digits !== undefined ? { sendDigits: digits } : {}),
    timeLimitSeconds: timeLimit(params),
    ...(sipAuthUsername !== undefined ? { sipAuthUsername } : {}),
    ...(sipAuthPassword !== undefined && sipAuthPassword !== '' ? { sipAuthPassword } : {}),
    ...(caller !== undefined ? { callerId: caller } : {}),
    ...(reason !== undefined ? { callReason: reason } : {}),
  };
}

/** The filters of GET /Calls.json, in the order next_page_uri repeats them. */
export const CALL_FILTER_PARAMS = ['To', 'From', 'Status', 'ParentCallSid', 'StartTime', 'StartTime<', 'StartTime>', 'EndTime', 'EndTime<', 'EndTime>'] as const;

/** GET /Calls.json */
export function parseCallFilter(params: RequestParams): CallFilter {
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
  const ended = parseTimeWindow(params, 'EndTime');
  return {
    // A filter that is not a valid address matches as written (and so finds nothing).
    ...(toText !== undefined ? { to: normalizeTo(toText) ?? toText } : {}),
    ...(fromText !== undefined ? { from: normalizeFrom(fromText) ?? fromText } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(parentCallSid !== undefined ? { parentCallSid } : {}),
    ...(window.after !== undefined ? { startedAfter: window.after } : {}),
    ...(window.before !== undefined ? { startedBefore: window.before } : {}),
    ...(ended.after !== undefined ? { endedAfter: ended.after } : {}),
    ...(ended.before !== undefined ? { endedBefore: ended.before } : {}),
  };
}
