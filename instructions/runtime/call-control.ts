import type { Logger } from 'pino';
import type { Endpoint } from '../../media/types.js';
import type { HttpMethod } from '../attributes.js';
import type { InstructionDocument } from '../parse.js';
import type { ClientNoun, ConferenceNoun, NumberNoun, SipNoun } from '../verbs/dial-nouns.js';
import type { RejectReason } from '../verbs/reject.js';

/** A request for the next document: an action URL, a Redirect, or the application's first URL. */
export interface NextDocumentRequest {
  url: string;
  method: HttpMethod;
  /** Verb parameters (Digits, RecordingUrl, ...); the call's own parameters are added by the call. */
  params?: Readonly<Record<string, string>>;
}

/** A document given inline (the REST API's Twiml parameter) instead of fetched. */
export interface InlineDocument {
  twiml: string;
}

export type DocumentSource = NextDocumentRequest | InlineDocument;

export function isInlineDocument(source: DocumentSource): source is InlineDocument {
  return 'twiml' in source;
}

export type NextDocumentOutcome = { document: InstructionDocument; url: string } | { error: string; url: string };

/** Where a recording is written and where the application fetches it. */
export interface RecordingTarget {
  /** RE + 32 hex digits. */
  sid: string;
  path: string;
  url: string;
}

/**
 * A request the engine sends without waiting for it (recording status
 * callbacks); the call adds its AccountSid. Those with one RecordingSid
 * go out in the order they were made.
 */
export interface Notification {
  url: string;
  method: HttpMethod;
  params: Readonly<Record<string, string>>;
}

/** What <Dial> asks the engine to call: one Number, Sip or Client noun. */
export interface DialLegRequest {
  noun: NumberNoun | SipNoun | ClientNoun;
  /** From of the new call; the caller's own From when absent. */
  callerId?: string;
  timeoutSeconds: number;
  /** Aborting it cancels the leg while it rings (it ends 'canceled'). */
  signal: AbortSignal;
  /** The called party sent early media (18x with SDP): the endpoint already carries it. */
  onEarlyMedia?: (endpoint: Endpoint) => void;
  /** The called party rings: its first provisional response (180, 183, ...), with that response's status. */
  onRinging?: (sipStatus: number) => void;
}

/** A REFER the connected party of a <Dial> sent (RFC 3515), as its referUrl request sees it. */
export interface TransferRequest {
  /** The Refer-To URI without angle brackets or header parameters (Twilio's ReferTransferTarget). */
  target: string;
  /** SipHeader_<Name> parameters: Refer-To, Referred-By and the X- headers of the REFER. */
  headers: Readonly<Record<string, string>>;
}

/**
 * Decides a REFER the engine accepted (202, NOTIFY 100 sent): true when
 * the transfer was taken on (final NOTIFY 200 OK), false when not (603).
 */
export type TransferHandler = (req: TransferRequest) => Promise<boolean>;

/** A called party that answered. */
export interface DialLeg {
  readonly callSid: string;
  readonly sip?: DialLegSip;
  readonly endpoint: Endpoint;
  /** The called party as a call, e.g. to run a whisper document on it. */
  readonly control: CallControl;
  /** Seconds since the called party answered. */
  readonly durationSeconds: number;
  /** Ends the leg (BYE) unless it is gone already. */
  hangup(): Promise<void>;
  /**
   * Who decides the REFERs the called party sends: a handler, or none
   * (they are declined with 603, as Twilio does without referUrl).
   * A leg that cannot receive REFERs leaves it out.
   */
  onTransfer?(handler: TransferHandler | undefined): void;
}

export type DialLegStatus = 'busy' | 'no-answer' | 'failed' | 'canceled';

/** The SIP side of a Dial leg (for Twilio's DialSipCallId and DialSipHeader_*): its Call-ID and the X- headers of its final response. */
export interface DialLegSip {
  callId?: string;
  headers: Readonly<Record<string, string>>;
}

export type DialAttempt =
  | { answered: DialLeg }
  | { status: DialLegStatus; callSid?: string; sipStatus?: number; reason: string; sip?: DialLegSip };

/** What <Dial><Conference> asks the engine: put the answered call in the named conference. */
export interface ConferenceJoinRequest {
  noun: ConferenceNoun;
  /** The caller's media, answered. */
  endpoint: Endpoint;
  /** The participant leaves when it fires: the caller hung up, or the call was redirected. */
  signal: AbortSignal;
  /** <Dial hangupOnStar>: * takes the participant out of the conference. */
  hangupOnStar: boolean;
  /** <Dial timeLimit>, in seconds. */
  timeLimitSeconds: number;
}

/** How a participation ended. */
export interface ConferenceJoinOutcome {
  conferenceSid?: string;
  /** completed: it was in the conference and left; failed: it could not join (full, no media). */
  status: 'completed' | 'failed';
  reason: 'hangup' | 'redirected' | 'kicked' | 'conference-ended' | 'star' | 'time-limit' | 'full' | 'error';
  durationSeconds: number;
}

/** <Enqueue>: the answered caller waits in the named queue. */
export interface EnqueueRequest {
  queueName: string;
  endpoint: Endpoint;
  /** Its wait document or audio (looped), with the queue's parameters; the engine's hold music when absent. */
  waitUrl?: string;
  waitUrlMethod: HttpMethod;
  /** The caller hung up, or the call was redirected. */
  signal: AbortSignal;
  /** A TaskRouter Workflow: the call becomes a task of it while it waits. */
  workflowSid?: string;
  /** The <Task> of the Enqueue: attributes (JSON object text), priority, timeout. */
  task?: { attributes: string; priority?: number; timeout?: number };
}

/** Twilio's QueueResult values. */
export type QueueResult = 'bridged' | 'bridging-in-process' | 'queue-full' | 'redirected' | 'hangup' | 'error' | 'system-error' | 'leave';

export interface EnqueueOutcome {
  result: QueueResult;
  queueSid?: string;
  /** Seconds spent in the queue. */
  queueTime: number;
  /** Taken out of the queue by the REST API (a Member update with Url): the document the call runs next. */
  redirectTo?: NextDocumentRequest;
}

/** <Dial><Queue>: take the front caller of a queue, waiting up to the Dial's timeout for one. */
export interface DequeueRequest {
  queueName: string;
  timeoutSeconds: number;
  signal: AbortSignal;
  /** A TaskRouter reservation: take its task's call (whatever the queue) and accept it. */
  reservationSid?: string;
  /** The activity the reservation's worker moves to when the bridge ends. */
  postWorkActivitySid?: string;
}

/** The caller taken from the queue, for the dialler to bridge; `release` lets its Enqueue go on. */
export interface DequeuedCaller {
  callSid: string;
  queueSid: string;
  queueTime: number;
  endpoint: Endpoint;
  /** The dequeued call (to run the Queue noun's url document on it). */
  control: Pick<CallControl, 'hangupSignal' | 'fetchNext' | 'log'>;
  /** The bridge is over (or never happened): the caller's Enqueue ends with `result`. */
  release(result: QueueResult): void;
}

export type DequeueOutcome = { caller: DequeuedCaller } | { status: 'no-queue' | 'empty' | 'canceled' };

/** What <Refer> asks the engine: a REFER (RFC 3515) in the call's own dialog. */
export interface ReferSendRequest {
  /** The Refer-To URI as the document wrote it, its header part (`?X-Name=value&...`) included. */
  referTo: string;
  /** Headers of the REFER itself (the X- headers of the URI). */
  headers: Readonly<Record<string, string>>;
  /** Stops the wait: the caller hung up, or the call was redirected. */
  signal: AbortSignal;
}

/** The call placed in answer to a REFER, as its final NOTIFY tells it, in call statuses. */
export type ReferredCallStatus = 'in-progress' | 'busy' | 'no-answer' | 'failed';

/** What came of a REFER: the far end's answer, and what its NOTIFYs told of the call it placed. */
export interface ReferSendOutcome {
  /** SIP status of the final response to the REFER (202 when accepted); absent when none came. */
  referStatus?: number;
  /** Status line of the last message/sipfrag NOTIFY understood (RFC 3515 2.4.5): 100, 180, 200, 486, ... */
  notifyStatus?: number;
  /** The referred call, when a NOTIFY gave its final status. */
  referredCall?: ReferredCallStatus;
  /**
   * Why the wait ended: a final status came (`final`); the REFER was not
   * accepted or not answered (`refused`); the subscription ended
   * (`terminated`) or lapsed (`timeout`) with no final status; a NOTIFY
   * could not be read (`malformed`); or the signal stopped it (`stopped`).
   */
  end: 'final' | 'refused' | 'terminated' | 'timeout' | 'malformed' | 'stopped';
}

/** The call was answered already, or could not be (incompatible codecs, caller gone). */
export class AnswerError extends Error {
  constructor(
    message: string,
    readonly sipStatus?: number,
  ) {
    super(message);
    this.name = 'AnswerError';
  }
}

/**
 * What the interpreter needs from a call. The SIP implementation lives in
 * engine/calls; tests use a fake.
 */
export interface CallControl {
  readonly callSid: string;
  /** Logger whose lines already carry callSid and callId. */
  readonly log: Logger;
  /** Fires when the caller hangs up (BYE, CANCEL) or the engine stops: every running verb ends at once. */
  readonly hangupSignal: AbortSignal;
  readonly answered: boolean;
  /** URL of the document that is running (the base of relative URLs, and of Gather/Record without action). */
  readonly currentDocumentUrl: string | undefined;

  /** Answers the call on first use (200 OK with the media endpoint's SDP) and returns the endpoint. Throws AnswerError. */
  answer(): Promise<Endpoint>;
  /** Refuses an unanswered call: busy -> 486, rejected -> 603. */
  reject(reason: RejectReason): Promise<void>;
  /** Ends the call (BYE); a call never answered is answered first, as Twilio does. */
  hangup(): Promise<void>;
  /**
   * Fetches a document (primary, then the application's fallback), with the
   * call's parameters added; an inline document is parsed instead.
   */
  fetchNext(req: DocumentSource, opts?: { afterHangup?: boolean }): Promise<NextDocumentOutcome>;
  newRecording(): RecordingTarget;
  /** A recording was written to its target: the application can now list and fetch it. */
  recordingSaved(target: RecordingTarget, info: { durationMs: number; channels: 1 | 2; source: 'RecordVerb' | 'DialVerb' | 'OutboundAPI' }): void;
  notify(notification: Notification): void;
  /**
   * For answerOnBridge: sends the caller early media (183 with the
   * endpoint's SDP) without answering, and returns the endpoint. An
   * answered call returns its endpoint. Throws AnswerError.
   */
  earlyMedia(): Promise<Endpoint>;
  /** Puts the call in a conference; resolves when it has left (or could not join). */
  joinConference(req: ConferenceJoinRequest): Promise<ConferenceJoinOutcome>;
  /** Puts the call in a queue; resolves when it has left it (dequeued and bridged, Leave, hangup, ...). */
  enqueue(req: EnqueueRequest): Promise<EnqueueOutcome>;
  /** Takes the front caller of a queue for a <Dial><Queue>. */
  dequeue(req: DequeueRequest): Promise<DequeueOutcome>;
  /** Calls one party of a <Dial>; resolves when it answered or failed. */
  placeDialLeg(req: DialLegRequest): Promise<DialAttempt>;
  /**
   * <Refer>: sends a REFER in the answered call's dialog and resolves when
   * its outcome is known (a final NOTIFY, a refusal, the subscription's
   * end, a timeout, or the signal). A call with no SIP dialog of its own
   * leaves it out; <Refer> then fails, as Twilio's does on a non-SIP leg.
   */
  sendRefer?(req: ReferSendRequest): Promise<ReferSendOutcome>;
}
