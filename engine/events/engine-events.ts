import type { HttpMethod } from '../../instructions/attributes.js';
import type { CallRecord, RecordingRecord } from '../api/call-service.js';
import type { StatusCallbackSettings, StatusEvent } from '../calls/status-events.js';
import type { PresenceEvent } from '../registrar/presence-notifier.js';
import type { Binding } from '../registrar/registrar.js';
import type { ConferenceEventGroup } from '../../instructions/verbs/dial-nouns.js';
import type { ConferenceRecord } from '../conferences/conference-record.js';
import type { ParticipantSnapshot } from '../conferences/participant.js';

/**
 * The engine's domain events: one typed stream (event-stream.ts) that the
 * call code publishes to and that status callbacks, usage metering, event
 * sinks, the console and metrics read. Every event names its account, and
 * its application and call where it has them. A new consumer is a new
 * subscriber; a new event is one more member of EngineEvent.
 */

interface EventBase {
  at: Date;
  accountSid: string;
  applicationId?: string;
  callSid?: string;
}

/** A call's progress, as Twilio's status callbacks report it (initiated, ringing, answered, completed). */
export interface CallProgressEvent extends EventBase {
  type: `call.${StatusEvent}`;
  callSid: string;
  /** The call as the REST API shows it at that moment. */
  call: CallRecord;
  /** The parameters of every request about the call (CallSid, From, To, SipCallId, ...) at that moment. */
  params: Readonly<Record<string, string>>;
  /** More parameters of this event (SipResponseCode, ErrorCode, ErrorUrl of a completed call). */
  extra: Readonly<Record<string, string>>;
  /** Where the call's status callbacks go. */
  callbacks: StatusCallbackSettings;
  /** Callbacks already sent for the call elsewhere (by an engine that was lost), when this engine reports its end. */
  callbacksBefore?: number;
}

/** What a request to the application was for: a document of instructions, or a status callback. */
export type WebhookPurpose = 'instructions' | 'status-callback';

/** The engine made a request to an application. */
export interface WebhookRequestedEvent extends EventBase {
  type: 'webhook.requested';
  purpose: WebhookPurpose;
  url: string;
  method: HttpMethod;
  params: Readonly<Record<string, string>>;
}

/** The application answered (or did not: `error`). */
export interface WebhookAnsweredEvent extends EventBase {
  type: 'webhook.answered';
  purpose: WebhookPurpose;
  url: string;
  method: HttpMethod;
  /** The request's parameters. */
  params: Readonly<Record<string, string>>;
  latencyMs: number;
  /** HTTP status, when a response came. */
  status?: number;
  /** The response's media type and body as text, when one came and was read. */
  contentType?: string;
  body?: string;
  /** What was wrong, with Twilio's error code, when the answer was no document (instructions) or a failure (status callbacks). */
  error?: { code: number; message: string };
}

/** A warning or error of a call that the application should hear of (Twilio's Notifications), with Twilio's code. */
export interface CallNotificationEvent extends EventBase {
  type: 'call.notification';
  callSid: string;
  level: 'error' | 'warning';
  code: number;
  message: string;
  /** The request for the document it is about (none for a document given inline). */
  request?: { url: string; method: HttpMethod };
}

/** A verb of a document began to run on a call. */
export interface VerbStartedEvent extends EventBase {
  type: 'verb.started';
  callSid: string;
  verb: string;
  /** The document it belongs to. */
  documentUrl: string;
}

export interface RecordingCompletedEvent extends EventBase {
  type: 'recording.completed';
  recording: RecordingRecord;
}

/** A SIP user's registrations changed (registered, refreshed, unregistered, expired). */
export interface RegistrationChangedEvent extends EventBase {
  type: 'registration.changed';
  username: string;
  change: PresenceEvent;
  /** The user's bindings after the change, most recent first. */
  bindings: readonly Binding[];
  /** The bindings the change is about (added, refreshed, removed or lapsed). */
  changed: readonly Binding[];
}

/** Twilio's conference StatusCallbackEvent values. */
export type ConferenceEventName =
  | 'conference-start'
  | 'conference-end'
  | 'participant-join'
  | 'participant-leave'
  | 'participant-mute'
  | 'participant-unmute'
  | 'participant-hold'
  | 'participant-unhold'
  | 'participant-modify'
  | 'participant-speech-start'
  | 'participant-speech-stop'
  | 'announcement-end'
  | 'announcement-failed';

/** Where a conference's status callbacks go: the first participant's statusCallback, as on Twilio. */
export interface ConferenceCallbacks {
  url: string;
  method: HttpMethod;
  events: readonly ConferenceEventGroup[];
}

/** Something happened in a conference (it started or ended, a participant joined, left, was muted, spoke, ...). */
export interface ConferenceStatusEvent extends EventBase {
  type: 'conference.status';
  name: ConferenceEventName;
  conference: ConferenceRecord;
  /** The participant it is about (participant-* events). */
  participant?: ParticipantSnapshot;
  callbacks?: ConferenceCallbacks;
}

export type EngineEvent =
  | CallProgressEvent
  | WebhookRequestedEvent
  | WebhookAnsweredEvent
  | CallNotificationEvent
  | VerbStartedEvent
  | RecordingCompletedEvent
  | RegistrationChangedEvent
  | ConferenceStatusEvent;
export type EngineEventType = EngineEvent['type'];
