/**
 * Twilio's recording status callback parameters, the same for every kind
 * of recording (<Record>, <Dial record>, call recordings by REST,
 * conferences): sent on the events the application asked for, in-progress
 * when the recording starts, completed (or absent, nothing kept) when it is
 * written.
 */

export type RecordingStatusEvent = 'in-progress' | 'completed' | 'absent';

/** Twilio's error 16101: the recording was too short to keep. */
export const RECORDING_TOO_SHORT = 16101;

export interface RecordingStatusInfo {
  /** Added by the call when absent (engine/calls). */
  accountSid?: string;
  callSid: string;
  conferenceSid?: string;
  sid: string;
  url: string;
  status: RecordingStatusEvent;
  durationSeconds: number;
  channels: 1 | 2;
  source: string;
  startTime: Date;
  track: 'inbound' | 'outbound' | 'both';
  errorCode?: number;
}

export function recordingStatusParams(r: RecordingStatusInfo): Record<string, string> {
  const params: Record<string, string> = {
    ...(r.accountSid !== undefined ? { AccountSid: r.accountSid } : {}),
    ...(r.conferenceSid !== undefined ? { ConferenceSid: r.conferenceSid } : {}),
    CallSid: r.callSid,
    RecordingSid: r.sid,
    RecordingUrl: r.url,
    RecordingStatus: r.status,
    RecordingChannels: String(r.channels),
    // RFC 2822 with a numeric zone, as Twilio writes it.
    RecordingStartTime: r.startTime.toUTCString().replace(/GMT$/, '+0000'),
    RecordingSource: r.source,
    RecordingTrack: r.track,
  };
  if (r.status !== 'in-progress') params.RecordingDuration = String(r.durationSeconds);
  if (r.status === 'absent') params.ErrorCode = String(r.errorCode ?? RECORDING_TOO_SHORT);
  return params;
}
