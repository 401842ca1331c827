import { API_VERSION, recordingsPath } from './api-paths.js';
import type { RecordingRecord } from './call-service.js';
import { toRfc2822 } from './rfc2822.js';

const STILL_RECORDING: ReadonlySet<RecordingRecord['status']> = new Set(['in-progress', 'paused', 'stopped']);

/** A recording as Twilio's API writes it (Recording resource, 2010-04-01), snake_case. */
export interface RecordingJson {
  sid: string;
  account_sid: string;
  call_sid: string;
  conference_sid: string | null;
  date_created: string | null;
  date_updated: string | null;
  start_time: string | null;
  duration: string;
  channels: 1 | 2;
  source: RecordingRecord['source'];
  status: RecordingRecord['status'];
  price: null;
  price_unit: 'USD';
  track: NonNullable<RecordingRecord['track']>;
  uri: string;
  media_url: string;
  error_code: number | null;
  encryption_details: null;
  api_version: typeof API_VERSION;
  subresource_uris: Record<string, never>;
}

/**
 * `publicUrl`, when given, is the API's own base as clients reach it: media_url
 * then points at this API's recording resource (as Twilio's points at
 * api.twilio.com); without it media_url is the engine's RecordingUrl.
 */
export function recordingJson(recording: RecordingRecord, publicUrl?: string): RecordingJson {
  const path = `${recordingsPath(recording.accountSid)}/${encodeURIComponent(recording.sid)}`;
  return {
    sid: recording.sid,
    account_sid: recording.accountSid,
    call_sid: recording.callSid,
    conference_sid: recording.conferenceSid ?? null,
    date_created: toRfc2822(recording.dateCreated),
    date_updated: toRfc2822(recording.dateUpdated),
    start_time: toRfc2822(recording.startTime),
    // Twilio writes -1 while a recording is still being made.
    duration: STILL_RECORDING.has(recording.status) ? '-1' : String(Math.round(recording.durationSeconds)),
    channels: recording.channels,
    source: recording.source,
    status: recording.status,
    price: null,
    price_unit: 'USD',
    track: recording.track ?? 'both',
    uri: `${path}.json`,
    media_url: publicUrl !== undefined ? `${publicUrl.replace(/\/+$/, '')}${path}` : recording.mediaUrl,
    error_code: recording.errorCode ?? null,
    encryption_details: null,
    api_version: API_VERSION,
    subresource_uris: {},
  };
}
