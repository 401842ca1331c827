import type { HttpMethod } from '../../instructions/attributes.js';
import type { CallStatus } from '../calls/call-status.js';
import type { StatusEvent } from '../calls/status-events.js';
import type { Page, PageRequest } from './paging.js';

/**
 * What the REST API needs from the engine: calls and recordings as plain
 * records, and the few things a program may do to a call. The API turns
 * these into Twilio's JSON; the engine implements them (engine/calls).
 */

export type CallDirection = 'inbound' | 'outbound-api' | 'outbound-dial';

/** A call as the API shows it, live or ended. */
export interface CallRecord {
  sid: string;
  accountSid: string;
  parentCallSid?: string;
  /** As the application sees them: a phone number, or a SIP URI. */
  from: string;
  to: string;
  status: CallStatus;
  direction: CallDirection;
  dateCreated: Date;
  dateUpdated: Date;
  /** When the call started ringing/was placed; undefined while queued. */
  startTime?: Date;
  endTime?: Date;
  /** Seconds from answer to end; undefined until the call ended. */
  durationSeconds?: number;
  /** Name shown to the called party (callerId display name), when known. */
  callerName?: string;
  /** SIP status of the final response, when one was seen. */
  sipResponseCode?: number;
}

/** POST /Calls.json, checked and normalised by the API. */
export interface CreateCallParams {
  accountSid: string;
  /** A phone number (+ and digits) or a sip:/sips: URI. */
  to: string;
  from: string;
  /** Exactly one of url, twiml and applicationSid is set. */
  url?: string;
  twiml?: string;
  /**
   * The configured application whose voice URL, fallback and status callback
   * the call uses (its id); the request's Method, FallbackUrl, StatusCallback
   * and their methods and events are then ignored, as Twilio does.
   */
  applicationSid?: string;
  method: HttpMethod;
  fallbackUrl?: string;
  fallbackMethod: HttpMethod;
  statusCallback?: string;
  statusCallbackMethod: HttpMethod;
  statusCallbackEvents: StatusEvent[];
  /** Seconds to let the called party ring. */
  timeoutSeconds: number;
  /** Record=true: the call is recorded from answer to end, so. */
  recording?: CallRecordingParams;
  /** Keys pressed (RFC 4733) once the call is answered, before its document runs; w is a half-second pause. */
  sendDigits?: string;
  /** The longest the call may last once answered, in seconds (the engine hangs up then); four hours when not given. */
  timeLimitSeconds?: number;
  /** Digest credentials for a SIP URI target (SipAuthUsername / SipAuthPassword). */
  sipAuthUsername?: string;
  sipAuthPassword?: string;
  /** CallerId: who the called party sees calling when To is a SIP URI or client:<name> (a number, user name or SIP URI). */
  callerId?: string;
  /** CallReason: the purpose of the call, sent as the INVITE's Subject header. */
  callReason?: string;
}

export interface CallFilter {
  to?: string;
  from?: string;
  status?: CallStatus;
  parentCallSid?: string;
  /** Calls started on or after / before (exclusive) these instants. */
  startedAfter?: Date;
  startedBefore?: Date;
  /** Calls ended on or after / before (exclusive) these instants; a call not ended matches neither. */
  endedAfter?: Date;
  endedBefore?: Date;
}

/** New instructions for a live call: a URL to fetch, or a document. */
export type CallRedirect = { url: string; method: HttpMethod } | { twiml: string };

/**
 * New callbacks for a live call (POST /Calls/{CallSid}.json), used from the
 * next request on: a URL given replaces the call's, a method given replaces
 * its method; what is not given stays.
 */
export interface CallbackChanges {
  fallbackUrl?: string;
  fallbackMethod?: HttpMethod;
  statusCallback?: string;
  statusCallbackMethod?: HttpMethod;
}

export interface RecordingRecord {
  sid: string;
  accountSid: string;
  callSid: string;
  dateCreated: Date;
  dateUpdated: Date;
  startTime: Date;
  durationSeconds: number;
  channels: 1 | 2;
  source: 'RecordVerb' | 'DialVerb' | 'OutboundAPI' | 'Conference' | 'StartCallRecordingAPI';
  /** The conference whose mix it is (source Conference). */
  conferenceSid?: string;
  /** A call recording's status while the call runs (in-progress, paused, stopped), then completed or absent. */
  status: 'in-progress' | 'paused' | 'stopped' | 'completed' | 'absent' | 'failed';
  /** Which audio of the call it holds (Twilio's RecordingTrack); both when absent. */
  track?: 'inbound' | 'outbound' | 'both';
  /** Why it is absent: Twilio's 16101 (too short to keep). */
  errorCode?: number;
  /** Where the audio is fetched (the RecordingUrl given to applications; add .wav). */
  mediaUrl: string;
}

/** How to record a live call (Calls/{CallSid}/Recordings.json, or Calls.json with Record). */
export interface CallRecordingParams {
  /** RecordingChannels: mono 1, dual 2 (the call's party first, then what it hears). */
  channels: 1 | 2;
  track: 'inbound' | 'outbound' | 'both';
  trim: boolean;
  statusCallback?: string;
  statusCallbackMethod: HttpMethod;
  statusCallbackEvents: readonly ('in-progress' | 'completed' | 'absent')[];
}

/** A change asked of a call recording: Status, and PauseBehavior when pausing. */
export interface CallRecordingChange {
  status: 'in-progress' | 'paused' | 'stopped';
  pauseBehavior: 'skip' | 'silence';
}

/**
 * Recordings of live calls that a program starts and controls. A recording
 * sid may be Twilio.CURRENT: the call's newest recording still going.
 */
export interface CallRecordingService {
  /** Starts recording the call; undefined when there is no such call; ApiError(400, 21220) when it is not in progress. */
  start(accountSid: string, callSid: string, params: CallRecordingParams): Promise<RecordingRecord | undefined>;
  /** Pauses, resumes or stops one; undefined when the call has no such recording. */
  update(accountSid: string, callSid: string, recordingSid: string, change: CallRecordingChange): Promise<RecordingRecord | undefined>;
  /** One of the call's recordings, live or done. */
  get(accountSid: string, callSid: string, recordingSid: string): Promise<RecordingRecord | undefined>;
}

/** An error the API answers as Twilio does: HTTP status, numeric code, message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * The engine's side of the API. Every method is scoped to one account: a
 * call of another account is not found. Methods throw ApiError for what the
 * caller did wrong (a number no trunk routes, a call that is not live).
 */
export interface CallService {
  /** Places an outbound call; resolves once it is queued, with status 'queued'. */
  create(params: CreateCallParams): Promise<CallRecord>;
  get(accountSid: string, callSid: string): Promise<CallRecord | undefined>;
  /** One page of the matching calls, newest first (dateCreated, then sid). */
  list(accountSid: string, filter: CallFilter, page: PageRequest): Promise<Page<CallRecord>>;
  /**
   * Gives a live call new instructions at once, interrupting the verb that
   * runs. Undefined when there is no such call; ApiError(400, 21220) when it
   * has ended.
   */
  redirect(accountSid: string, callSid: string, to: CallRedirect): Promise<CallRecord | undefined>;
  /**
   * Ends a call: 'canceled' only ends a call not yet answered (an answered
   * one is left alone, as Twilio does); 'completed' ends it in any state.
   * Undefined when there is no such call; an ended call is returned as it is.
   */
  end(accountSid: string, callSid: string, status: 'completed' | 'canceled'): Promise<CallRecord | undefined>;
  /**
   * Gives a live call new fallback and status callback URLs (or methods).
   * Undefined when there is no such call; ApiError(400, 21220) when it has
   * ended or runs no instructions of its own (a Dial's called party).
   */
  updateCallbacks(accountSid: string, callSid: string, changes: CallbackChanges): Promise<CallRecord | undefined>;
  /** Deletes an ended call's record; false when there is no such call; ApiError(400, 20009) while it is not over. */
  delete(accountSid: string, callSid: string): Promise<boolean>;
}

export interface RecordingFilter {
  callSid?: string;
  conferenceSid?: string;
  /** Created on or after / before (exclusive) these instants. */
  createdAfter?: Date;
  createdBefore?: Date;
}

export interface RecordingService {
  /** One page of the matching recordings, newest first. */
  list(accountSid: string, filter: RecordingFilter, page: PageRequest): Promise<Page<RecordingRecord>>;
  get(accountSid: string, recordingSid: string): Promise<RecordingRecord | undefined>;
  /** Path of the WAV file on disk, for serving the audio. */
  audioPath(recordingSid: string): string | undefined;
  /** Deletes the recording's record and its audio files; false when there is none; ApiError(400, 20009) until it is over (completed, absent or failed). */
  delete(accountSid: string, recordingSid: string): Promise<boolean>;
}
