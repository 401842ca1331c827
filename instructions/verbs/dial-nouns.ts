import { AttributeReader, type HttpMethod } from '../attributes.js';
import type { ParseContext } from '../context.js';
import { childElements, ownText, type XmlElement } from '../xml-tree.js';
import { uriHeaders } from './uri-headers.js';
import { RECORD_TRIMS, RECORDING_EVENTS, type RecordingEvent, type RecordTrim } from './record.js';

/** The nouns of <Dial>: who or what to connect the caller to. */

export const CALL_PROGRESS_EVENTS = ['initiated', 'ringing', 'answered', 'completed'] as const;
export type CallProgressEvent = (typeof CALL_PROGRESS_EVENTS)[number];

/** Status callback settings shared by Number, Sip and Client. */
export interface LegCallbacks {
  /** A document run on the called party, before it is connected ("whisper"). */
  readonly url?: string;
  readonly method: HttpMethod;
  readonly statusCallback?: string;
  readonly statusCallbackMethod: HttpMethod;
  readonly statusCallbackEvent: readonly CallProgressEvent[];
}

export interface NumberNoun extends LegCallbacks {
  readonly noun: 'Number';
  readonly number: string;
  /** DTMF sent once the called party answers. */
  readonly sendDigits?: string;
}

export interface SipNoun extends LegCallbacks {
  readonly noun: 'Sip';
  /** The URI to call, without the header part. */
  readonly uri: string;
  /** X- headers given in the URI (`sip:bob@example.com?X-Account=42`), sent with the INVITE. */
  readonly headers: Readonly<Record<string, string>>;
  /** Digest credentials (RFC 3261 22.4) for the called side. */
  readonly username?: string;
  readonly password?: string;
}

export interface ClientNoun extends LegCallbacks {
  readonly noun: 'Client';
  readonly identity: string;
  readonly parameters: readonly { name: string; value: string }[];
}

export const CONFERENCE_BEEPS = ['true', 'false', 'onEnter', 'onExit'] as const;
export const CONFERENCE_EVENTS = ['start', 'end', 'join', 'leave', 'mute', 'hold', 'modify', 'speaker', 'announcement'] as const;
export const CONFERENCE_RECORDS = ['do-not-record', 'record-from-start'] as const;
export const CONFERENCE_REGIONS = ['us1', 'us2', 'ie1', 'sg1', 'br1', 'au1', 'jp1', 'de1'] as const;
export const CONFERENCE_JITTER_BUFFERS = ['large', 'medium', 'small', 'off'] as const;
export type ConferenceEventGroup = (typeof CONFERENCE_EVENTS)[number];

export interface ConferenceNoun {
  readonly noun: 'Conference';
  readonly name: string;
  readonly muted: boolean;
  readonly beep: (typeof CONFERENCE_BEEPS)[number];
  readonly startConferenceOnEnter: boolean;
  readonly endConferenceOnExit: boolean;
  /** What waiting participants hear: a document or audio; '' for silence (Twilio's way to turn the music off); absent for the engine's hold music. */
  readonly waitUrl?: string;
  readonly waitMethod: HttpMethod;
  readonly maxParticipants: number;
  readonly record: (typeof CONFERENCE_RECORDS)[number];
  readonly trim: RecordTrim;
  readonly statusCallback?: string;
  readonly statusCallbackMethod: HttpMethod;
  readonly statusCallbackEvent: readonly ConferenceEventGroup[];
  /** The CallSid of a participant this one coaches: only it hears this one. */
  readonly coach?: string;
  readonly participantLabel?: string;
  /** Accepted as Twilio names them; the conference runs where its media is. */
  readonly region?: (typeof CONFERENCE_REGIONS)[number];
  readonly recordingStatusCallback?: string;
  readonly recordingStatusCallbackMethod: HttpMethod;
  readonly recordingStatusCallbackEvent: readonly RecordingEvent[];
  /** Twilio's older name for a conference status callback URL: used when statusCallback is absent. */
  readonly eventCallbackUrl?: string;
}

export interface QueueNoun {
  readonly noun: 'Queue';
  readonly name: string;
  /** A document run on the dequeued caller before the bridge. */
  readonly url?: string;
  readonly method: HttpMethod;
  /** A TaskRouter reservation: its task's call is the one taken (and the reservation accepted). */
  readonly reservationSid?: string;
  /** The activity the reservation's worker moves to when the bridge ends. */
  readonly postWorkActivitySid?: string;
}

export type DialNoun = NumberNoun | SipNoun | ClientNoun | ConferenceNoun | QueueNoun;

function readLegCallbacks(attrs: AttributeReader): LegCallbacks {
  return {
    url: attrs.url('url'),
    method: attrs.method('method') ?? 'POST',
    statusCallback: attrs.url('statusCallback'),
    statusCallbackMethod: attrs.method('statusCallbackMethod') ?? 'POST',
    statusCallbackEvent: attrs.enumerationList('statusCallbackEvent', CALL_PROGRESS_EVENTS) ?? ['completed'],
  };
}

/** A phone number: digits with an optional leading +; spaces, dashes, dots and parentheses are allowed. */
export function parsePhoneNumber(el: XmlElement, ctx: ParseContext, text: string): string {
  if (!/^\+?[0-9][0-9 ().-]*$/.test(text) || text.replace(/\D/g, '').length > 20) {
    throw ctx.fail(el, `"${text}" is not a phone number`);
  }
  return text;
}

export function parseNumber(el: XmlElement, ctx: ParseContext): NumberNoun {
  const attrs = new AttributeReader(el, ctx);
  const legs = readLegCallbacks(attrs);
  const sendDigits = attrs.string('sendDigits');
  if (sendDigits !== undefined && !/^[0-9*#wW]+$/.test(sendDigits)) {
    throw ctx.fail(el, `"${sendDigits}" may hold only 0-9, *, # and w`, 'sendDigits');
  }
  attrs.finish();
  const number = parsePhoneNumber(el, ctx, ctx.requiredText(el, 'the phone number'));
  return { noun: 'Number', number, sendDigits, ...legs };
}

export function parseSip(el: XmlElement, ctx: ParseContext): SipNoun {
  const attrs = new AttributeReader(el, ctx);
  const legs = readLegCallbacks(attrs);
  const username = attrs.string('username');
  const password = attrs.string('password');
  attrs.finish();
  const text = ctx.requiredText(el, 'the SIP URI');
  // RFC 3261 19.1.1: a SIP URI is sip:user@host or sips:user@host.
  if (!/^sips?:[^\s]+$/i.test(text)) throw ctx.fail(el, `"${text}" is not a sip: or sips: URI`);
  const q = text.indexOf('?');
  const uri = q < 0 ? text : text.slice(0, q);
  const headers: Record<string, string> = {};
  // The URI's headers (hname=hvalue&...), as Twilio takes them: the X- ones go into the INVITE.
  for (const { name, value, sendable } of q < 0 ? [] : uriHeaders(el, ctx, text.slice(q + 1))) {
    if (sendable) headers[name] = value;
    else ctx.warn(el, `URI header "${name}" was ignored: only X- headers are sent`);
  }
  return { noun: 'Sip', uri, headers, username, password, ...legs };
}

export function parseClient(el: XmlElement, ctx: ParseContext): ClientNoun {
  const attrs = new AttributeReader(el, ctx);
  const legs = readLegCallbacks(attrs);
  attrs.finish();
  let identity = ownText(el).trim();
  const parameters: { name: string; value: string }[] = [];
  for (const child of childElements(el)) {
    if (child.name === 'Identity') {
      if (identity !== '') throw ctx.fail(child, 'the identity is given twice');
      identity = ctx.requiredText(child, 'the client identity');
    } else if (child.name === 'Parameter') {
      parameters.push(parseParameter(child, ctx));
    } else {
      throw ctx.fail(child, `<${child.name}> is not allowed inside <Client>`);
    }
  }
  if (identity === '') throw ctx.fail(el, 'the client identity is required');
  return { noun: 'Client', identity, parameters, ...legs };
}

/** <Parameter name value/>, used by Client and Stream. */
export function parseParameter(el: XmlElement, ctx: ParseContext): { name: string; value: string } {
  const attrs = new AttributeReader(el, ctx);
  const name = attrs.string('name');
  const value = attrs.raw('value') ?? '';
  attrs.finish();
  ctx.expectEmpty(el);
  if (name === undefined) throw ctx.fail(el, 'is required', 'name');
  return { name, value };
}

export function parseConference(el: XmlElement, ctx: ParseContext): ConferenceNoun {
  const attrs = new AttributeReader(el, ctx);
  const noun: ConferenceNoun = {
    noun: 'Conference',
    name: '',
    muted: attrs.boolean('muted') ?? false,
    beep: attrs.enumeration('beep', CONFERENCE_BEEPS) ?? 'true',
    startConferenceOnEnter: attrs.boolean('startConferenceOnEnter') ?? true,
    endConferenceOnExit: attrs.boolean('endConferenceOnExit') ?? false,
    waitUrl: attrs.raw('waitUrl') === '' ? '' : attrs.url('waitUrl'),
    waitMethod: attrs.method('waitMethod') ?? 'POST',
    maxParticipants: attrs.integer('maxParticipants', { min: 2, max: 250 }) ?? 250,
    record: attrs.enumeration('record', CONFERENCE_RECORDS) ?? 'do-not-record',
    trim: attrs.enumeration('trim', RECORD_TRIMS) ?? 'trim-silence',
    statusCallback: attrs.url('statusCallback'),
    statusCallbackMethod: attrs.method('statusCallbackMethod') ?? 'POST',
    statusCallbackEvent: attrs.enumerationList('statusCallbackEvent', CONFERENCE_EVENTS) ?? [],
    coach: attrs.string('coach'),
    participantLabel: attrs.string('participantLabel'),
    region: attrs.enumeration('region', CONFERENCE_REGIONS),
    recordingStatusCallback: attrs.url('recordingStatusCallback'),
    recordingStatusCallbackMethod: attrs.method('recordingStatusCallbackMethod') ?? 'POST',
    recordingStatusCallbackEvent: attrs.enumerationList('recordingStatusCallbackEvent', RECORDING_EVENTS) ?? ['completed'],
    eventCallbackUrl: attrs.url('eventCallbackUrl'),
  };
  // Accepted; the embedded engine's jitter buffer is fixed.
  attrs.enumeration('jitterBufferSize', CONFERENCE_JITTER_BUFFERS);
  if (noun.coach !== undefined && !/^CA[0-9a-f]{32}$/.test(noun.coach)) throw ctx.fail(el, `"${noun.coach}" is not a CallSid`, 'coach');
  attrs.finish();
  return { ...noun, name: ctx.requiredText(el, 'the conference name') };
}

export function parseQueue(el: XmlElement, ctx: ParseContext): QueueNoun {
  const attrs = new AttributeReader(el, ctx);
  const url = attrs.url('url');
  const method = attrs.method('method') ?? 'POST';
  const reservationSid = attrs.string('reservationSid');
  const postWorkActivitySid = attrs.string('postWorkActivitySid');
  attrs.finish();
  if (reservationSid !== undefined && !/^WR[0-9a-fA-F]{32}$/.test(reservationSid)) throw ctx.fail(el, `"${reservationSid}" is not a Reservation SID`, 'reservationSid');
  // With a reservation the noun names no queue: the reservation's task says which call.
  const name = reservationSid !== undefined ? ctx.text(el) : ctx.requiredText(el, 'the queue name');
  return { noun: 'Queue', name, url, method, ...(reservationSid !== undefined ? { reservationSid } : {}), ...(postWorkActivitySid !== undefined ? { postWorkActivitySid } : {}) };
}

export const DIAL_NOUN_PARSERS: Record<string, (el: XmlElement, ctx: ParseContext) => DialNoun> = {
  Number: parseNumber,
  Sip: parseSip,
  Client: parseClient,
  Conference: parseConference,
  Queue: parseQueue,
};
