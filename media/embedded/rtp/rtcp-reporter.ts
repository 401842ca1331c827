import { buildBYE, buildRR, buildSDES, buildSR, parseRTCPCompound } from 'rtp-packet';
import type { PortPair } from './port-allocator.js';
import type { ReceiveStats } from './receive-stats.js';
import type { RemoteMedia } from '../sdp/negotiate.js';

/** What the RTCP reporter reads from its RTP session. */
export interface RtcpSource {
  readonly ssrc: number;
  readonly sentPackets: number;
  readonly sentBytes: number;
  readonly recv: ReceiveStats;
}

export interface RemoteReport {
  fractionLost: number;
  totalLost: number;
  /** In the peer's report's timestamp units, converted to ms with our clock rate. */
  jitterMs: number;
  rttMs?: number;
}

/** RFC 3550 §6.2: minimum report interval for this basic profile; randomised by §6.3.1. */
const INTERVAL_MS = 5000;
const NTP_EPOCH_OFFSET = 2208988800; // seconds from 1900 to 1970

function ntpNow(): [number, number] {
  const ms = Date.now();
  const secs = Math.floor(ms / 1000);
  return [(secs + NTP_EPOCH_OFFSET) >>> 0, Math.floor(((ms % 1000) / 1000) * 0x100000000) >>> 0];
}

/** The middle 32 bits of an NTP timestamp (RFC 3550 §6.4.1, LSR). */
function ntpMiddle(msw: number, lsw: number): number {
  return (((msw & 0xffff) << 16) | (lsw >>> 16)) >>> 0;
}

/**
 * Basic RTCP (RFC 3550 §6): a compound SR or RR plus SDES CNAME about every
 * 5 s (randomised 0.5-1.5x), BYE on close; incoming SR and RR are parsed
 * for the peer's view of our stream (loss, jitter, round-trip time).
 */
export class RtcpReporter {
  remote: RemoteReport | undefined;
  lastSentTimestamp = 0;
  clockRate = 8000;
  private nextAt = 0;
  private destAddress = '';
  private destPort = 0;
  private mux = false;
  private lastSrMiddle = 0;
  private lastSrArrival = 0;
  private lastReportPackets = -1;

  constructor(
    private readonly src: RtcpSource,
    private readonly ports: PortPair,
    private readonly cname: string,
  ) {}

  setRemote(remote: RemoteMedia): void {
    this.destAddress = remote.rtcpAddress;
    this.destPort = remote.rtcpPort;
    this.mux = remote.rtcpMux;
  }

  maybeSend(nowMs: number): void {
    if (this.nextAt === 0) this.nextAt = nowMs + INTERVAL_MS * (0.5 + Math.random());
    if (nowMs < this.nextAt) return;
    this.nextAt = nowMs + INTERVAL_MS * (0.5 + Math.random());
    this.send(this.report());
  }

  private report(): Buffer {
    const s = this.src;
    const r = s.recv;
    let block: Buffer | undefined;
    if (r.ssrc >= 0) {
      const dlsr = this.lastSrArrival ? Math.round(((performance.now() - this.lastSrArrival) / 1000) * 65536) : 0;
      block = buildRR({
        ssrc: s.ssrc,
        mediaSsrc: r.ssrc,
        fractionLost: r.takeFractionLost(),
        totalLost: Math.min(r.lost, 0x7fffff),
        highestSeq: r.extendedMaxSeq >>> 0,
        jitter: Math.floor(r.jitter) >>> 0,
        lastSR: this.lastSrMiddle,
        delaySinceLastSR: dlsr >>> 0,
      });
    }
    const sdes = buildSDES(s.ssrc, this.cname);
    // RFC 3550 §6.4: a sender (anything sent since the last report) sends SR, otherwise RR.
    if (s.sentPackets !== this.lastReportPackets && s.sentPackets > 0) {
      this.lastReportPackets = s.sentPackets;
      const sr = buildSR({
        ssrc: s.ssrc,
        ntpTimestamp: ntpNow(),
        rtpTimestamp: this.lastSentTimestamp,
        packetCount: s.sentPackets,
        octetCount: s.sentBytes,
      });
      if (!block) return Buffer.concat([sr, sdes]);
      const withBlock = Buffer.concat([sr, block.subarray(8), sdes]);
      withBlock[0] = 0x81; // RC = 1
      withBlock.writeUInt16BE(12, 2); // 28 + 24 bytes = 13 words, minus one
      return withBlock;
    }
    if (block) return Buffer.concat([block, sdes]);
    const empty = buildRR({
      ssrc: s.ssrc,
      mediaSsrc: 0,
      fractionLost: 0,
      totalLost: 0,
      highestSeq: 0,
      jitter: 0,
      lastSR: 0,
      delaySinceLastSR: 0,
    }).subarray(0, 8);
    empty[0] = 0x80; // RC = 0
    empty.writeUInt16BE(1, 2);
    return Buffer.concat([empty, sdes]);
  }

  private send(packet: Buffer): void {
    if (this.destPort === 0) return;
    const socket = this.mux ? this.ports.rtp : this.ports.rtcp;
    socket.send(packet, this.destPort, this.destAddress);
  }

  sendBye(): void {
    try {
      this.send(Buffer.concat([this.report(), buildBYE([this.src.ssrc])]));
    } catch {
      // closing anyway
    }
  }

  /** Parses an incoming compound packet; malformed input is ignored. */
  receive(msg: Buffer): void {
    let packets;
    try {
      packets = parseRTCPCompound(msg);
    } catch {
      return;
    }
    for (const p of packets) {
      if (p.type === 200 && p.ntpTimestampMsw !== undefined && p.ntpTimestampLsw !== undefined) {
        this.lastSrMiddle = ntpMiddle(p.ntpTimestampMsw, p.ntpTimestampLsw);
        this.lastSrArrival = performance.now();
      }
      for (const b of p.reports ?? []) {
        if (b.mediaSsrc !== this.src.ssrc) continue;
        const report: RemoteReport = {
          fractionLost: b.fractionLost / 256,
          totalLost: b.totalLost,
          jitterMs: (b.jitter / this.clockRate) * 1000,
        };
        // RFC 3550 §6.4.1: RTT = A - LSR - DLSR, all in 1/65536 s.
        if (b.lastSR !== 0) {
          const [msw, lsw] = ntpNow();
          const a = ntpMiddle(msw, lsw);
          const rtt = (a - b.lastSR - b.delaySinceLastSR) >>> 0;
          if (rtt < 0x80000000) report.rttMs = (rtt / 65536) * 1000;
        }
        this.remote = report;
      }
    }
  }
}
