import type { Logger } from 'pino';
import type { Endpoint } from '../../media/types.js';
import type { HttpMethod } from '../attributes.js';
import type { InstructionDocument } from '../parse.js';
import type { RejectReason } from '../verbs/reject.js';

/** A request for the next document: an action URL, a Redirect, or the application's first URL. */
export interface NextDocumentRequest {
  url: string;
  method: HttpMethod;
  /** Verb parameters (Digits, RecordingUrl, ...); the call's own parameters are added by the call. */
  params?: Readonly<Record<string, string>>;
}

export type NextDocumentOutcome = { document: InstructionDocument; url: string } | { error: string; url: string };

/** Where a recording is written and where the application fetches it. */
export interface RecordingTarget {
  /** RE + 32 hex digits. */
  sid: string;
  path: string;
  url: string;
}

/** A request the engine sends without waiting for it (recording status callbacks). */
export interface Notification {
  url: string;
  method: HttpMethod;
  params: Readonly<Record<string, string>>;
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
  /** Fetches a document (primary, then the application's fallback), with the call's parameters added. */
  fetchNext(req: NextDocumentRequest, opts?: { afterHangup?: boolean }): Promise<NextDocumentOutcome>;
  newRecording(): RecordingTarget;
  notify(notification: Notification): void;
}
