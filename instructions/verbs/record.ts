import { AttributeReader, DTMF_KEYS, type HttpMethod } from '../attributes.js';
import type { ParseContext } from '../context.js';
import type { XmlElement } from '../xml-tree.js';

export const RECORD_TRIMS = ['trim-silence', 'do-not-trim'] as const;
export type RecordTrim = (typeof RECORD_TRIMS)[number];

export const RECORDING_EVENTS = ['in-progress', 'completed', 'absent'] as const;
export type RecordingEvent = (typeof RECORDING_EVENTS)[number];

/** <Record>: record the caller; RecordingUrl and RecordingDuration go to `action`. */
export interface RecordVerb {
  readonly verb: 'Record';
  readonly action?: string;
  readonly method: HttpMethod;
  /** Seconds of silence that end the recording; 0 disables silence detection. */
  readonly timeout: number;
  /** Longest recording in seconds. */
  readonly maxLength: number;
  /** Keys that end the recording ('' for none). */
  readonly finishOnKey: string;
  readonly playBeep: boolean;
  readonly trim: RecordTrim;
  readonly recordingStatusCallback?: string;
  readonly recordingStatusCallbackMethod: HttpMethod;
  readonly recordingStatusCallbackEvent: readonly RecordingEvent[];
}

export const RECORD_DEFAULTS = {
  method: 'POST',
  timeout: 5,
  maxLength: 3600,
  finishOnKey: '1234567890*#',
  playBeep: true,
  trim: 'trim-silence',
  recordingStatusCallbackMethod: 'POST',
  recordingStatusCallbackEvent: ['completed'],
} as const;

export function parseRecord(el: XmlElement, ctx: ParseContext): RecordVerb {
  const attrs = new AttributeReader(el, ctx);
  const action = attrs.url('action');
  const method = attrs.method('method') ?? RECORD_DEFAULTS.method;
  const timeout = attrs.integer('timeout', { min: 0, max: 600 }) ?? RECORD_DEFAULTS.timeout;
  const maxLength = attrs.integer('maxLength', { min: 1, max: 14_400 }) ?? RECORD_DEFAULTS.maxLength;
  const finishOnKey = attrs.keys('finishOnKey', { allowed: DTMF_KEYS, maxLength: DTMF_KEYS.length }) ?? RECORD_DEFAULTS.finishOnKey;
  const playBeep = attrs.boolean('playBeep') ?? RECORD_DEFAULTS.playBeep;
  const trim = attrs.enumeration('trim', RECORD_TRIMS) ?? RECORD_DEFAULTS.trim;
  const recordingStatusCallback = attrs.url('recordingStatusCallback');
  const recordingStatusCallbackMethod = attrs.method('recordingStatusCallbackMethod') ?? RECORD_DEFAULTS.recordingStatusCallbackMethod;
  const recordingStatusCallbackEvent =
    attrs.enumerationList('recordingStatusCallbackEvent', RECORDING_EVENTS) ?? [...RECORD_DEFAULTS.recordingStatusCallbackEvent];
  if (attrs.boolean('transcribe') === true) ctx.warn(el, 'transcription is not supported and was ignored', 'transcribe');
  attrs.string('transcribeCallback');
  attrs.finish();
  ctx.expectEmpty(el);
  return {
    verb: 'Record',
    action,
    method,
    timeout,
    maxLength,
    finishOnKey,
    playBeep,
    trim,
    recordingStatusCallback,
    recordingStatusCallbackMethod,
    recordingStatusCallbackEvent,
  };
}
