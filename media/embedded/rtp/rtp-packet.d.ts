/** The parts of rtp-packet (plain JavaScript, no typings of its own) used here. */
declare module 'rtp-packet' {
  export interface RtpPacket {
    version: number;
    padding: boolean;
    extension: boolean;
    csrcCount: number;
    marker: boolean;
    payloadType: number;
    sequenceNumber: number;
    timestamp: number;
    ssrc: number;
    csrc: number[];
    payload: Buffer;
    headerLength: number;
  }
  export function parse(buf: Buffer): RtpPacket | null;
  export function serialize(pkt: {
    payloadType: number;
    sequenceNumber: number;
    timestamp: number;
    ssrc: number;
    marker?: boolean;
    payload?: Buffer;
  }): Buffer;

  export interface RtcpReportBlock {
    mediaSsrc: number;
    fractionLost: number;
    totalLost: number;
    highestSeq: number;
    jitter: number;
    lastSR: number;
    delaySinceLastSR: number;
  }
  export interface RtcpPacket {
    name?: string;
    type: number;
    ssrc?: number;
    ntpTimestampMsw?: number;
    ntpTimestampLsw?: number;
    rtpTimestamp?: number;
    packetCount?: number;
    octetCount?: number;
    reports?: RtcpReportBlock[];
  }
  export function parseRTCPCompound(buf: Buffer): RtcpPacket[];
  export function buildSR(opts: {
    ssrc: number;
    ntpTimestamp?: [number, number];
    rtpTimestamp: number;
    packetCount: number;
    octetCount: number;
  }): Buffer;
  export function buildRR(opts: { ssrc: number } & RtcpReportBlock): Buffer;
  export function buildSDES(ssrc: number, cname: string): Buffer;
  export function buildBYE(ssrcs: number[], reason?: string): Buffer;
}
