import sdpTransform from 'sdp-transform';
import type { MediaDescription, SessionDescription } from 'sdp-transform';
import { MediaError } from '../../errors.js';
import {
  answerDirection,
  STATIC_FORMATS,
  type AudioCodecName,
  type Direction,
  type PayloadFormat,
} from './formats.js';

/** Where and how the peer wants its media. */
export interface RemoteMedia {
  address: string;
  port: number;
  rtcpAddress: string;
  rtcpPort: number;
  rtcpMux: boolean;
  /** The peer's direction attribute. */
  direction: Direction;
  /** RFC 3264 §8.4: c=0.0.0.0 is an old-style hold: do not send. */
  holdByAddress: boolean;
}

/** The outcome of one offer/answer exchange for the audio stream. */
export interface Negotiated {
  remote: RemoteMedia;
  /** Audio formats both sides accept; the first is the one we send. */
  formats: PayloadFormat[];
  telephoneEvent?: PayloadFormat;
  /** Our direction attribute. */
  localDirection: Direction;
  /** Index of the audio m-line in the offer (others are rejected with port 0). */
  audioIndex: number;
  /** The offer's m-lines, to mirror in an answer (RFC 3264 §6: same count, same order). */
  offeredMedia: { type: string; protocol: string; payloads: string }[];
}

export function parseSdp(sdp: string): SessionDescription {
  if (typeof sdp !== 'string' || !/^v=0/m.test(sdp)) {
    throw new MediaError('bad-sdp', 'SDP is empty or has no v=0 line');
  }
  try {
    return sdpTransform.parse(sdp);
  } catch (err) {
    throw new MediaError('bad-sdp', `SDP cannot be parsed: ${(err as Error).message}`, { cause: err });
  }
}

const DIRECTIONS = new Set<string>(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

function directionOf(session: SessionDescription, m: MediaDescription): Direction {
  // RFC 4566 §6: a media-level direction overrides the session-level one; the default is sendrecv.
  const d = m.direction ?? session.direction;
  return d && DIRECTIONS.has(d) ? d : 'sendrecv';
}

/** The formats of an m-line, in its own order, resolved through rtpmap or the static table. */
function formatsOf(m: MediaDescription): PayloadFormat[] {
  const out: PayloadFormat[] = [];
  const pts = String(m.payloads ?? '')
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
  for (const pt of pts) {
    const map = m.rtp?.find((r) => r.payload === pt);
    const fmtp = m.fmtp?.find((f) => f.payload === pt)?.config;
    if (!map) {
      if (STATIC_FORMATS[pt]) out.push({ ...STATIC_FORMATS[pt], pt });
      continue;
    }
    const codec = map.codec.toLowerCase();
    const rate = map.rate ?? 8000;
    if (codec === 'pcmu' && rate === 8000) out.push({ pt, name: 'PCMU', clockRate: 8000 });
    else if (codec === 'pcma' && rate === 8000) out.push({ pt, name: 'PCMA', clockRate: 8000 });
    else if (codec === 'opus' && rate === 48000) out.push({ pt, name: 'opus', clockRate: 48000, channels: 2, fmtp });
    else if (codec === 'telephone-event') out.push({ pt, name: 'telephone-event', clockRate: rate, fmtp });
  }
  return out;
}

function isRtpAvp(protocol: string): boolean {
  // Plain RTP only: SRTP (RTP/SAVP, UDP/TLS/...) is not spoken here.
  return protocol === 'RTP/AVP' || protocol === 'RTP/AVPF';
}

function remoteOf(session: SessionDescription, m: MediaDescription): RemoteMedia {
  const address = m.connection?.ip ?? session.connection?.ip;
  if (!address) throw new MediaError('bad-sdp', 'SDP has no connection address (c=) for its audio stream');
  const rtcpMux = m.rtcpMux === 'rtcp-mux';
  // RFC 3605: a=rtcp gives the RTCP port (and address); otherwise RTP port + 1 (RFC 3550 §11).
  const rtcpPort = rtcpMux ? m.port : (m.rtcp?.port ?? m.port + 1);
  const rtcpAddress = m.rtcp?.address ?? address;
  return {
    address,
    port: m.port,
    rtcpAddress,
    rtcpPort,
    rtcpMux,
    direction: directionOf(session, m),
    holdByAddress: address === '0.0.0.0',
  };
}

/** Picks the telephone-event format whose clock matches the send codec, else the first one. */
function pickTelephoneEvent(all: PayloadFormat[], codec: PayloadFormat): PayloadFormat | undefined {
  const te = all.filter((f) => f.name === 'telephone-event');
  return te.find((f) => f.clockRate === codec.clockRate) ?? te[0];
}

/**
 * RFC 3264 §6: answer an offer. The first usable audio m-line is accepted with
 * every codec we support, in the offerer's order (§6.1: the answerer SHOULD
 * keep the offerer's preference); other m-lines are rejected with port 0.
 */
export function negotiateOffer(sdp: string, supported: readonly AudioCodecName[]): Negotiated {
  const session = parseSdp(sdp);
  const media = session.media ?? [];
  const audioLines = media
    .map((m, i) => ({ m, i }))
    .filter(({ m }) => m.type === 'audio' && m.port > 0 && isRtpAvp(m.protocol));
  if (audioLines.length === 0) {
    throw new MediaError('bad-sdp', 'SDP offer has no active RTP/AVP audio stream');
  }
  for (const { m, i } of audioLines) {
    const offered = formatsOf(m);
    const audio = offered.filter((f) => f.name !== 'telephone-event' && supported.includes(f.name));
    if (audio.length === 0) continue;
    const remote = remoteOf(session, m);
    return {
      remote,
      formats: audio,
      telephoneEvent: pickTelephoneEvent(offered, audio[0]),
      localDirection: answerDirection(remote.direction),
      audioIndex: i,
      offeredMedia: media.map((x) => ({ type: x.type, protocol: x.protocol, payloads: String(x.payloads ?? '') })),
    };
  }
  const names = audioLines.flatMap(({ m }) => (m.rtp ?? []).map((r) => `${r.codec}/${r.rate ?? ''}`));
  throw new MediaError(
    'incompatible-codecs',
    `no codec in common: offered ${names.join(', ') || String(audioLines[0].m.payloads)}; supported ${supported.join(', ')}`,
  );
}

/**
 * RFC 3264 §7: take the answer to our offer. The answerer's first listed
 * format that we offered is the one we send.
 */
export function acceptAnswer(
  sdp: string,
  offered: readonly PayloadFormat[],
): Negotiated {
  const session = parseSdp(sdp);
  const media = session.media ?? [];
  const i = media.findIndex((m) => m.type === 'audio' && isRtpAvp(m.protocol));
  if (i < 0) throw new MediaError('bad-sdp', 'SDP answer has no RTP/AVP audio stream');
  const m = media[i];
  if (m.port === 0) throw new MediaError('incompatible-codecs', 'the peer rejected the audio stream (port 0)');
  const answered = formatsOf(m);
  const audio = answered.filter((f) =>
    offered.some((o) => o.name === f.name && o.name !== 'telephone-event'),
  );
  if (audio.length === 0) throw new MediaError('incompatible-codecs', 'the answer names no codec that was offered');
  const remote = remoteOf(session, m);
  return {
    remote,
    formats: audio,
    telephoneEvent: pickTelephoneEvent(answered, audio[0]),
    // We offered sendrecv: what the answerer allows is what we do (its recvonly means we only send).
    localDirection: answerDirection(remote.direction),
    audioIndex: i,
    offeredMedia: media.map((x) => ({ type: x.type, protocol: x.protocol, payloads: String(x.payloads ?? '') })),
  };
}
