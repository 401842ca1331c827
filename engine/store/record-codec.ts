import type { CallFilter, CallRecord, RecordingRecord } from '../api/call-service.js';
import type { ConferenceRecord } from '../conferences/conference-record.js';
import type { QueueRecord } from '../queues/queue-record.js';
import type { RecordingFilter, StoredCall } from './types.js';

/**
 * Records as the stores write them: JSON with instants as milliseconds since
 * the epoch, and back. Both stores use one form, so a record reads the same
 * whichever wrote it.
 */

const CALL_DATES = ['dateCreated', 'dateUpdated', 'startTime', 'endTime', 'answerTime'] as const;
const RECORDING_DATES = ['dateCreated', 'dateUpdated', 'startTime'] as const;
const CONFERENCE_DATES = ['dateCreated', 'dateUpdated'] as const;
const QUEUE_DATES = ['dateCreated', 'dateUpdated'] as const;

function encode(record: object, dates: readonly string[]): string {
  const out: Record<string, unknown> = { ...record };
  for (const key of dates) {
    const value = out[key];
    if (value instanceof Date) out[key] = value.getTime();
  }
  return JSON.stringify(out);
}

function decode<T>(text: string, dates: readonly string[]): T {
  const raw = JSON.parse(text) as Record<string, unknown>;
  for (const key of dates) {
    const value = raw[key];
    if (typeof value === 'number') raw[key] = new Date(value);
  }
  return raw as T;
}

/** A call record (a StoredCall, or the REST API's CallRecord) as JSON. */
export const encodeCall = (call: CallRecord): string => encode(call, CALL_DATES);
export const decodeCall = (text: string): StoredCall => decode<StoredCall>(text, CALL_DATES);
export const decodeCallRecord = (text: string): CallRecord => decode<CallRecord>(text, CALL_DATES);
export const encodeRecording = (r: RecordingRecord): string => encode(r, RECORDING_DATES);
export const decodeRecording = (text: string): RecordingRecord => decode<RecordingRecord>(text, RECORDING_DATES);
export const encodeConference = (c: ConferenceRecord): string => encode(c, CONFERENCE_DATES);
export const decodeConference = (text: string): ConferenceRecord => decode<ConferenceRecord>(text, CONFERENCE_DATES);
export const encodeQueue = (q: QueueRecord): string => encode(q, QUEUE_DATES);
export const decodeQueue = (text: string): QueueRecord => decode<QueueRecord>(text, QUEUE_DATES);

/** Whether `call` is one of the account's calls that `filter` asks for (the REST API's Calls list). */
export function callMatches(call: StoredCall, accountSid: string, f: CallFilter): boolean {
  if (call.accountSid !== accountSid) return false;
  if (f.to !== undefined && call.to !== f.to) return false;
  if (f.from !== undefined && call.from !== f.from) return false;
  if (f.status !== undefined && call.status !== f.status) return false;
  if (f.parentCallSid !== undefined && call.parentCallSid !== f.parentCallSid) return false;
  const started = call.dateCreated.getTime();
  if (f.startedAfter !== undefined && started < f.startedAfter.getTime()) return false;
  if (f.startedBefore !== undefined && started >= f.startedBefore.getTime()) return false;
  if (f.endedAfter !== undefined || f.endedBefore !== undefined) {
    const ended = call.endTime?.getTime();
    if (ended === undefined) return false;
    if (f.endedAfter !== undefined && ended < f.endedAfter.getTime()) return false;
    if (f.endedBefore !== undefined && ended >= f.endedBefore.getTime()) return false;
  }
  return true;
}

export function recordingMatches(r: RecordingRecord, accountSid: string, f: RecordingFilter): boolean {
  if (r.accountSid !== accountSid) return false;
  if (f.callSid !== undefined && r.callSid !== f.callSid) return false;
  if (f.conferenceSid !== undefined && r.conferenceSid !== f.conferenceSid) return false;
  const created = r.dateCreated.getTime();
  if (f.createdAfter !== undefined && created < f.createdAfter.getTime()) return false;
  if (f.createdBefore !== undefined && created >= f.createdBefore.getTime()) return false;
  return true;
}
