import { InstructionError, parseInstructions } from '../../instructions/index.js';
import type { ConferenceFilter, ConferenceStatus } from '../conferences/conference-record.js';
import type { ParticipantChanges } from '../conferences/participant-changes.js';
import { badParameter, ErrorCode } from './api-errors.js';
import type { CreateCallParams } from './call-service.js';
import { parseCreateCall } from './call-params.js';
import { bool, httpUrl, method, optionalBool } from './param-readers.js';
import { every, nonEmpty, type RequestParams } from './request-params.js';
import { parseTimeWindow } from './time-filters.js';

/** The parameters of the Conferences and Participants resources (Twilio's names). */

const STATUSES: readonly ConferenceStatus[] = ['init', 'in-progress', 'completed'];

/** The filters of GET /Conferences.json, in the order next_page_uri repeats them. */
export const CONFERENCE_FILTER_PARAMS = ['Status', 'FriendlyName', 'DateCreated', 'DateCreated<', 'DateCreated>', 'DateUpdated', 'DateUpdated<', 'DateUpdated>'] as const;

export function parseConferenceFilter(params: RequestParams): ConferenceFilter {
  const status = nonEmpty(params, 'Status');
  if (status !== undefined && !STATUSES.includes(status as ConferenceStatus)) {
    throw badParameter(`Status must be one of ${STATUSES.join(', ')}, not "${status.slice(0, 20)}"`);
  }
  const created = parseTimeWindow(params, 'DateCreated');
  const updated = parseTimeWindow(params, 'DateUpdated');
  const friendlyName = nonEmpty(params, 'FriendlyName');
  return {
    ...(status !== undefined ? { status: status as ConferenceStatus } : {}),
    ...(friendlyName !== undefined ? { friendlyName } : {}),
    ...(created.after !== undefined ? { createdAfter: created.after } : {}),
    ...(created.before !== undefined ? { createdBefore: created.before } : {}),
    ...(updated.after !== undefined ? { updatedAfter: updated.after } : {}),
    ...(updated.before !== undefined ? { updatedBefore: updated.before } : {}),
  };
}

export interface ConferenceUpdate {
  end: boolean;
  announce?: { url: string; method: 'GET' | 'POST' };
}

/** POST /Conferences/{sid}.json: Status=completed, AnnounceUrl/AnnounceMethod. */
export function parseConferenceUpdate(params: RequestParams): ConferenceUpdate {
  const status = nonEmpty(params, 'Status');
  if (status !== undefined && status !== 'completed') throw badParameter(`Status can only be set to completed, not "${status.slice(0, 20)}"`);
  const url = httpUrl(params, 'AnnounceUrl');
  return { end: status === 'completed', ...(url !== undefined ? { announce: { url, method: method(params, 'AnnounceMethod') } } : {}) };
}

/** POST /Conferences/{sid}/Participants/{CallSid}.json */
export function parseParticipantUpdate(params: RequestParams): ParticipantChanges {
  const holdUrl = httpUrl(params, 'HoldUrl');
  const announceUrl = httpUrl(params, 'AnnounceUrl');
  const callSidToCoach = nonEmpty(params, 'CallSidToCoach');
  if (callSidToCoach !== undefined && !/^CA[0-9a-f]{32}$/.test(callSidToCoach)) throw badParameter('CallSidToCoach is not a CallSid');
  httpUrl(params, 'WaitUrl');
  method(params, 'WaitMethod');
  const changes: ParticipantChanges = {};
  const set = <K extends keyof ParticipantChanges>(key: K, value: ParticipantChanges[K] | undefined): void => {
    if (value !== undefined) changes[key] = value;
  };
  set('muted', optionalBool(params, 'Muted'));
  set('hold', optionalBool(params, 'Hold'));
  set('holdUrl', holdUrl !== undefined ? { url: holdUrl, method: method(params, 'HoldMethod') } : undefined);
  set('announceUrl', announceUrl !== undefined ? { url: announceUrl, method: method(params, 'AnnounceMethod') } : undefined);
  set('coaching', optionalBool(params, 'Coaching'));
  set('callSidToCoach', callSidToCoach);
  set('endConferenceOnExit', optionalBool(params, 'EndConferenceOnExit'));
  set('beepOnExit', optionalBool(params, 'BeepOnExit'));
  return changes;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Space- or comma-separated values given once or repeated (StatusCallbackEvent and its kin). */
function words(params: RequestParams, name: string): string[] {
  return every(params, name).flatMap((v) => v.split(/[\s,]+/)).filter((w) => w !== '');
}

/**
 * POST /Conferences/{sid}/Participants.json: an outbound call whose
 * document is <Dial><Conference> with the request's settings, so that the
 * called party joins the conference as soon as it answers. The parameters
 * are checked here (400), including the document they make.
 */
export function parseCreateParticipant(accountSid: string, conferenceName: string, params: RequestParams): CreateCallParams {
  const attrs: Record<string, string> = {};
  const put = (attr: string, value: string | undefined): void => {
    if (value !== undefined) attrs[attr] = value;
  };
  const flag = (attr: string, name: string): void => put(attr, optionalBool(params, name)?.toString());
  flag('muted', 'Muted');
  flag('startConferenceOnEnter', 'StartConferenceOnEnter');
  flag('endConferenceOnExit', 'EndConferenceOnExit');
  put('beep', nonEmpty(params, 'Beep'));
  put('waitUrl', httpUrl(params, 'WaitUrl'));
  put('waitMethod', nonEmpty(params, 'WaitMethod') === undefined ? undefined : method(params, 'WaitMethod'));
  put('maxParticipants', nonEmpty(params, 'MaxParticipants'));
  const record = nonEmpty(params, 'ConferenceRecord');
  put('record', record === 'true' ? 'record-from-start' : record === 'false' ? 'do-not-record' : record);
  put('trim', nonEmpty(params, 'ConferenceTrim'));
  put('statusCallback', httpUrl(params, 'ConferenceStatusCallback'));
  put('statusCallbackMethod', nonEmpty(params, 'ConferenceStatusCallbackMethod') === undefined ? undefined : method(params, 'ConferenceStatusCallbackMethod'));
  const events = words(params, 'ConferenceStatusCallbackEvent');
  if (events.length > 0) put('statusCallbackEvent', events.join(' '));
  put('recordingStatusCallback', httpUrl(params, 'ConferenceRecordingStatusCallback'));
  put('recordingStatusCallbackMethod', nonEmpty(params, 'ConferenceRecordingStatusCallbackMethod') === undefined ? undefined : method(params, 'ConferenceRecordingStatusCallbackMethod'));
  const recEvents = words(params, 'ConferenceRecordingStatusCallbackEvent');
  if (recEvents.length > 0) put('recordingStatusCallbackEvent', recEvents.join(' '));
  put('participantLabel', nonEmpty(params, 'Label'));
  put('region', nonEmpty(params, 'Region'));
  if (bool(params, 'Coaching')) {
    const target = nonEmpty(params, 'CallSidToCoach');
    if (target === undefined) throw badParameter('CallSidToCoach is required when Coaching is true');
    put('coach', target);
  }
  optionalBool(params, 'EarlyMedia');
  const noun = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  const timeLimit = nonEmpty(params, 'TimeLimit');
  const twiml = `<Response><Dial${timeLimit !== undefined ? ` timeLimit="${escapeXml(timeLimit)}"` : ''}><Conference${noun}>${escapeXml(conferenceName)}</Conference></Dial></Response>`;
  try {
    const doc = parseInstructions(twiml);
    const warning = doc.warnings[0];
    if (warning) throw badParameter(warning.message);
  } catch (err) {
    if (err instanceof InstructionError) throw badParameter(err.message, ErrorCode.InvalidParameter);
    throw err;
  }
  const call: Record<string, string | string[]> = { Twiml: twiml };
  for (const name of ['To', 'From', 'StatusCallback', 'StatusCallbackMethod', 'Timeout', 'Record', 'SipAuthUsername', 'SipAuthPassword']) {
    const value = nonEmpty(params, name);
    if (value !== undefined) call[name] = value;
  }
  const callEvents = words(params, 'StatusCallbackEvent');
  if (callEvents.length > 0) call.StatusCallbackEvent = callEvents;
  return parseCreateCall(accountSid, call);
}
