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
  /** Exactly one of url and twiml is set. */
  url?: string;
  twiml?: string;
  method: HttpMethod;
  fallbackUrl?: string;
  fallbackMethod: HttpMethod;
  statusCallback?: string;
  statusCallbackMethod: HttpMethod;
  statusCallbackEvents: StatusEvent[];
  /** Seconds to let the called party ring. */
  timeoutSeconds: number;
  /** Record the call from answer. */
  record: boolean;
  /** Keys pressed (RFC 4733) once the call is answered, before its document runs; w is a half-second pause. */
  sendDigits?: string;
  /** The longest the call may last once answered, in seconds (the engine hangs up then); four hours when not given. */
  timeLimitSeconds?: number;
  /** Digest credentials for a SIP URI target (SipAuthUsername / SipAuthPassword). */
  sipAuthUsername?: string;
  sipAuthPassword?: string;
}

export interface CallFilter {
  to?: string;
  from?: string;
  status?: CallStatus;
  parentCallSid?: string;
  /** Calls started on or after / before (exclusive) these instants. */
  startedAfter?: Date;
  startedBefore?: Date;
}

/** New instructions for a live call: a URL to fetch, or a document. */
export type CallRedirect = { url: string; method: HttpMethod } | { twiml: string };

export interface RecordingRecord {
  sid: string;
  accountSid: string;
  callSid: string;
  dateCreated: Date;
  dateUpdated: Date;
  startTime: Date;
  durationSeconds: number;
  channels: 1 | 2;
  source: 'RecordVerb' | 'DialVerb' | 'OutboundAPI' | 'Conference';
  /** The conference whose mix it is (source Conference). */
  conferenceSid?: string;
  status: 'in-progress' | 'completed' | 'absent' | 'failed';
  /** Where the audio is fetched (the RecordingUrl given to applications; add .wav). */
  mediaUrl: string;
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
}
