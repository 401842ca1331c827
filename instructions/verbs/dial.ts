import { AttributeReader, type HttpMethod } from '../attributes.js';
import type { ParseContext } from '../context.js';
import { childElements, ownText, type XmlElement } from '../xml-tree.js';
import { RING_TONES, type RingTone } from '../../media/embedded/dsp/ringback.js';
import { DIAL_NOUN_PARSERS, parsePhoneNumber, type DialNoun } from './dial-nouns.js';
import { RECORD_TRIMS, RECORDING_EVENTS, type RecordingEvent, type RecordTrim } from './record.js';

export const DIAL_RECORD_MODES = [
  'do-not-record',
  'record-from-answer',
  'record-from-ringing',
  'record-from-answer-dual',
  'record-from-ringing-dual',
] as const;
export type DialRecordMode = (typeof DIAL_RECORD_MODES)[number];

/** Which side of a recorded Dial is in the recording, seen from the caller's call: what it sends, what it hears, or both. */
export const DIAL_RECORDING_TRACKS = ['both', 'inbound', 'outbound'] as const;
export type DialRecordingTrack = (typeof DIAL_RECORDING_TRACKS)[number];

/** <Dial>: connect the caller to another party. */
export interface DialVerb {
  readonly verb: 'Dial';
  readonly action?: string;
  readonly method: HttpMethod;
  /** Seconds to let the called party ring. */
  readonly timeout: number;
  readonly callerId?: string;
  /** Longest bridged call in seconds. */
  readonly timeLimit: number;
  readonly hangupOnStar: boolean;
  readonly record: DialRecordMode;
  /**
   * inbound: the caller's own audio; outbound: what the caller hears (the
   * called party, early media, the ringback); both. One track is always one channel.
   */
  readonly recordingTrack: DialRecordingTrack;
  /** trim-silence: the recording starts at its first sound and ends at its last. */
  readonly trim: RecordTrim;
  readonly recordingStatusCallback?: string;
  readonly recordingStatusCallbackMethod: HttpMethod;
  readonly recordingStatusCallbackEvent: readonly RecordingEvent[];
  /** Keep the caller unanswered (hearing ringback) until the called party answers. */
  readonly answerOnBridge: boolean;
  /**
   * The country whose ringback the caller hears while the called party
   * rings (until it answers or sends early media). Absent: the automatic
   * choice (the ringback of the dialled number's country, else the US one).
   */
  readonly ringTone?: RingTone;
  /** Ring the Number, Sip and Client nouns one after another (each for `timeout`) rather than all at once. */
  readonly sequential: boolean;
  /**
   * Requested when the connected party sends a REFER (RFC 3515), with
   * ReferTransferTarget; its document ends the Dial and runs on the caller.
   * Without it, such a REFER is declined (603).
   */
  readonly referUrl?: string;
  readonly referMethod: HttpMethod;
  readonly nouns: readonly DialNoun[];
}

export const DIAL_DEFAULTS = {
  method: 'POST',
  timeout: 30,
  timeLimit: 14_400,
  hangupOnStar: false,
  record: 'do-not-record',
  recordingTrack: 'both',
  trim: 'do-not-trim',
  answerOnBridge: false,
  sequential: false,
  referMethod: 'POST',
} as const;

/** Twilio allows up to ten simultaneous Number/Sip/Client targets. */
const MAX_PARALLEL_TARGETS = 10;

function readRecordMode(attrs: AttributeReader): DialRecordMode | undefined {
  const value = attrs.enumeration('record', [...DIAL_RECORD_MODES, 'true', 'false'] as const);
  if (value === 'true') return 'record-from-answer';
  if (value === 'false') return 'do-not-record';
  return value;
}

/**
 * ringTone: one of Twilio's country codes. Twilio answers any other value
 * with warning 13220 (Dial: Invalid ringTone value) and goes on with its
 * automatic ringback; so does this, with a warning of the document.
 */
function readRingTone(el: XmlElement, attrs: AttributeReader, ctx: ParseContext): RingTone | undefined {
  const value = attrs.string('ringTone');
  if (value === undefined) return undefined;
  const tone = RING_TONES.find((t) => t === value.toLowerCase());
  if (tone === undefined) ctx.warn(el, `"${value}" is not a ringTone country code (Twilio warning 13220): the automatic ringback is played`, 'ringTone');
  return tone;
}

function parseNouns(el: XmlElement, ctx: ParseContext): DialNoun[] {
  const text = ownText(el).trim();
  const children = childElements(el);
  if (text !== '' && children.length > 0) throw ctx.fail(el, 'give either a number as text or nouns, not both');
  if (text !== '') {
    const number = parsePhoneNumber(el, ctx, text);
    return [{ noun: 'Number', number, method: 'POST', statusCallbackMethod: 'POST', statusCallbackEvent: ['completed'] }];
  }
  if (children.length === 0) throw ctx.fail(el, 'a number, or a Number, Sip, Client, Conference or Queue noun, is required');
  const nouns = children.map((child) => {
    const parse = DIAL_NOUN_PARSERS[child.name];
    if (!parse) throw ctx.fail(child, `<${child.name}> is not allowed inside <Dial>`);
    return parse(child, ctx);
  });
  const exclusive = nouns.find((n) => n.noun === 'Conference' || n.noun === 'Queue');
  if (exclusive && nouns.length > 1) throw ctx.fail(el, `<${exclusive.noun}> must be the only noun of <Dial>`);
  if (nouns.length > MAX_PARALLEL_TARGETS) throw ctx.fail(el, `at most ${MAX_PARALLEL_TARGETS} nouns may be dialled at once`);
  return nouns;
}

export function parseDial(el: XmlElement, ctx: ParseContext): DialVerb {
  const attrs = new AttributeReader(el, ctx);
  const verb: Omit<DialVerb, 'nouns'> = {
    verb: 'Dial',
    action: attrs.url('action'),
    method: attrs.method('method') ?? DIAL_DEFAULTS.method,
    timeout: attrs.integer('timeout', { min: 5, max: 600 }) ?? DIAL_DEFAULTS.timeout,
    callerId: attrs.string('callerId'),
    timeLimit: attrs.integer('timeLimit', { min: 1, max: 14_400 }) ?? DIAL_DEFAULTS.timeLimit,
    hangupOnStar: attrs.boolean('hangupOnStar') ?? DIAL_DEFAULTS.hangupOnStar,
    record: readRecordMode(attrs) ?? DIAL_DEFAULTS.record,
    recordingTrack: attrs.enumeration('recordingTrack', DIAL_RECORDING_TRACKS) ?? DIAL_DEFAULTS.recordingTrack,
    trim: attrs.enumeration('trim', RECORD_TRIMS) ?? DIAL_DEFAULTS.trim,
    recordingStatusCallback: attrs.url('recordingStatusCallback'),
    recordingStatusCallbackMethod: attrs.method('recordingStatusCallbackMethod') ?? 'POST',
    recordingStatusCallbackEvent: attrs.enumerationList('recordingStatusCallbackEvent', RECORDING_EVENTS) ?? ['completed'],
    answerOnBridge: attrs.boolean('answerOnBridge') ?? DIAL_DEFAULTS.answerOnBridge,
    ringTone: readRingTone(el, attrs, ctx),
    sequential: attrs.boolean('sequential') ?? DIAL_DEFAULTS.sequential,
    referUrl: attrs.url('referUrl'),
    referMethod: attrs.method('referMethod') ?? DIAL_DEFAULTS.referMethod,
  };
  attrs.finish();
  return { ...verb, nouns: parseNouns(el, ctx) };
}
