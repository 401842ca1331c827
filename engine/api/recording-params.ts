import { badParameter } from './api-errors.js';
import type { CallRecordingChange, CallRecordingParams } from './call-service.js';
import { choice, httpUrl, method } from './param-readers.js';
import { every, nonEmpty, type RequestParams } from './request-params.js';

/**
 * The parameters of a call recording (Twilio's names): Calls/{CallSid}/Recordings.json
 * takes them bare (RecordingChannels, RecordingTrack, Trim, RecordingStatusCallback,
 * RecordingStatusCallbackMethod, RecordingStatusCallbackEvent), Calls.json with Record alike.
 */

const EVENTS = ['in-progress', 'completed', 'absent'] as const;

/** `trimByDefault`: Twilio trims a Calls.json recording unless told not to, and not a Calls/{sid}/Recordings one. */
export function callRecordingParams(params: RequestParams, trimByDefault: boolean): CallRecordingParams {
  const channels = choice(params, 'RecordingChannels', ['mono', 'dual'], 'mono');
  const trim = choice(params, 'Trim', ['trim-silence', 'do-not-trim'], trimByDefault ? 'trim-silence' : 'do-not-trim');
  const statusCallback = httpUrl(params, 'RecordingStatusCallback');
  return {
    channels: channels === 'dual' ? 2 : 1,
    track: choice(params, 'RecordingTrack', ['inbound', 'outbound', 'both'], 'both'),
    trim: trim === 'trim-silence',
    ...(statusCallback !== undefined ? { statusCallback } : {}),
    statusCallbackMethod: method(params, 'RecordingStatusCallbackMethod'),
    statusCallbackEvents: recordingEvents(params),
  };
}

/** RecordingStatusCallbackEvent: repeated, or several separated by spaces; completed when absent. */
function recordingEvents(params: RequestParams): CallRecordingParams['statusCallbackEvents'] {
  const asked = new Set<string>();
  for (const value of every(params, 'RecordingStatusCallbackEvent')) {
    for (const word of value.split(/[\s,]+/)) {
      if (word === '') continue;
      if (!EVENTS.some((e) => e === word.toLowerCase())) throw badParameter(`RecordingStatusCallbackEvent must be one of ${EVENTS.join(', ')}, not "${word.slice(0, 20)}"`);
      asked.add(word.toLowerCase());
    }
  }
  return asked.size > 0 ? EVENTS.filter((e) => asked.has(e)) : ['completed'];
}

/** Status (required: in-progress, paused or stopped) and PauseBehavior (skip or silence, silence by default). */
export function recordingChange(params: RequestParams): CallRecordingChange {
  if (nonEmpty(params, 'Status') === undefined) throw badParameter('Status is required: in-progress, paused or stopped');
  return {
    status: choice(params, 'Status', ['in-progress', 'paused', 'stopped'], 'in-progress'),
    pauseBehavior: choice(params, 'PauseBehavior', ['skip', 'silence'], 'silence'),
  };
}
