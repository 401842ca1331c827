/**
 * Endpoint statistics from what FreeSWITCH keeps per channel: after
 * `uuid_set_media_stats`, `uuid_dump` lists the RTP counters as channel
 * variables (variable_rtp_audio_in_packet_count, ...). Cheap enough to ask
 * now and then, not for every stats() call: the endpoint keeps the last
 * answer and refreshes it in the background.
 */
import sdpTransform from 'sdp-transform';
import type { EndpointStats } from '../types.js';

function num(vars: Record<string, string>, name: string): number {
  const v = Number(vars[`variable_rtp_audio_${name}`]);
  return Number.isFinite(v) ? v : 0;
}

export function emptyStats(codec: string | null): EndpointStats {
  return { codec, sent: { packets: 0, bytes: 0 }, received: { packets: 0, bytes: 0, lost: 0, jitterMs: 0 } };
}

/** EndpointStats from uuid_dump's variables. */
export function statsFromVariables(vars: Record<string, string>, codec: string | null): EndpointStats {
  const readCodec = vars['variable_rtp_use_codec_name'] ?? vars['variable_read_codec'];
  return {
    codec: readCodec ?? codec,
    sent: { packets: num(vars, 'out_packet_count'), bytes: num(vars, 'out_media_bytes') },
    received: {
      packets: num(vars, 'in_packet_count'),
      bytes: num(vars, 'in_media_bytes'),
      // RFC 3550 A.3 expected minus received: FreeSWITCH counts these as skipped packets.
      lost: num(vars, 'in_skip_packet_count'),
      // FreeSWITCH reports the largest interarrival jitter variance it saw, in milliseconds.
      jitterMs: num(vars, 'in_jitter_max_variance'),
    },
  };
}

/** The first codec of the audio stream in an SDP (what FreeSWITCH answered with). */
export function codecOfSdp(sdp: string | undefined): string | null {
  if (!sdp) return null;
  try {
    const audio = sdpTransform.parse(sdp).media.find((m) => m.type === 'audio');
    const first = audio?.payloads?.toString().split(' ')[0];
    const rtp = audio?.rtp.find((r) => String(r.payload) === first);
    return rtp?.codec ?? null;
  } catch {
    return null;
  }
}

/** Whether an SDP's audio stream carries telephone-event (RFC 4733). */
export function hasTelephoneEvent(sdp: string | undefined): boolean {
  return sdp !== undefined && /^a=rtpmap:\d+ telephone-event\//im.test(sdp);
}
