import sdpTransform from 'sdp-transform';
import type { MediaDescription, SessionDescription } from 'sdp-transform';
import type { Direction, PayloadFormat } from './formats.js';

export interface LocalDescription {
  sessionId: string;
  /** RFC 3264 §8: incremented each time a new description is sent. */
  version: number;
  address: string;
  port: number;
  rtcpPort: number;
  rtcpMux: boolean;
  formats: PayloadFormat[];
  telephoneEvent?: PayloadFormat;
  direction: Direction;
  /** When answering: the offer's m-lines (RFC 3264 §6: mirrored, others rejected with port 0). */
  mirror?: { audioIndex: number; offeredMedia: { type: string; protocol: string; payloads: string }[] };
}

function audioMedia(d: LocalDescription): MediaDescription {
  const formats = d.telephoneEvent ? [...d.formats, d.telephoneEvent] : d.formats;
  const m: MediaDescription = {
    type: 'audio',
    port: d.port,
    protocol: 'RTP/AVP',
    payloads: formats.map((f) => f.pt).join(' '),
    rtp: formats.map((f) => ({
      payload: f.pt,
      codec: f.name,
      rate: f.clockRate,
      ...(f.channels ? { encoding: f.channels } : {}),
    })),
    fmtp: formats.filter((f) => f.fmtp).map((f) => ({ payload: f.pt, config: f.fmtp as string })),
    ptime: 20,
    direction: d.direction,
  };
  // RFC 5761 §5.1.1: accept rtcp-mux by echoing it; otherwise RFC 3605 names the RTCP port.
  if (d.rtcpMux) m.rtcpMux = 'rtcp-mux';
  else m.rtcp = { port: d.rtcpPort, netType: 'IN', ipVer: 4, address: d.address };
  return m;
}

/** Writes the local SDP (an offer, or an answer when `mirror` is set). */
export function describe(d: LocalDescription): string {
  const audio = audioMedia(d);
  let media: MediaDescription[] = [audio];
  if (d.mirror) {
    media = d.mirror.offeredMedia.map((o, i): MediaDescription =>
      i === d.mirror?.audioIndex
        ? audio
        : { type: o.type, port: 0, protocol: o.protocol, payloads: o.payloads, rtp: [], fmtp: [] },
    );
  }
  const session: SessionDescription = {
    version: 0,
    origin: {
      username: 'dialtone',
      sessionId: d.sessionId,
      sessionVersion: d.version,
      netType: 'IN',
      ipVer: 4,
      address: d.address,
    },
    name: 'dialtone',
    connection: { version: 4, ip: d.address },
    timing: { start: 0, stop: 0 },
    media,
  };
  return sdpTransform.write(session);
}
