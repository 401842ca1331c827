import { randomInt } from 'node:crypto';
import type dgram from 'node:dgram';
import { parse } from 'rtp-packet';
import type { RemoteMedia } from '../sdp/negotiate.js';
import type { PortPair } from './port-allocator.js';
import { ReceiveStats } from './receive-stats.js';
import { RtcpReporter } from './rtcp-reporter.js';

export const RTP_HEADER = 12;
const MAX_PAYLOAD = 1500;
const SEND_RING = 4;

/** What the session hands to its owner for each accepted RTP packet. */
export type RtpHandler = (payloadType: number, payload: Buffer, timestamp: number, marker: boolean) => void;

/**
 * One RTP stream pair over UDP: our sender (one SSRC for the life of the
 * session; sequence numbers and timestamps continuous across everything it
 * sends, RFC 3550 §5.1) and the receiver of the peer's stream.
 *
 * Symmetric RTP (RFC 4961): once valid RTP arrives, we send to the address
 * and port it comes from, whatever the SDP said, which is what gets media
 * through NAT (see probe() for when the source may change). Anything that
 * is not RTP version 2 with a payload type the owner accepts is dropped
 * without effect.
 *
 * The send path writes the 12-byte header in place into a small ring of
 * preallocated buffers: no allocation per packet.
 */
export class RtpSession {
  readonly ssrc = randomInt(1, 0xffffffff);
  private seq = randomInt(0, 0x10000);
  /** RTP timestamp of the current tick (RFC 3550 §5.1: random start). */
  timestamp = randomInt(0, 0x100000000);
  private readonly ring: Buffer[] = [];
  private ringIndex = 0;
  private destAddress = '';
  private destPort = 0;
  private latched = false;
  private closed = false;
  sentPackets = 0;
  sentBytes = 0;
  readonly recv = new ReceiveStats();
  private readonly rtcp: RtcpReporter;
  /** Payload types the owner accepts; anything else is dropped. */
  acceptedTypes = new Set<number>();
  /** Clock rate of each accepted payload type, for jitter. */
  clockRates = new Map<number, number>();
  /** Payload types excluded from jitter (telephone-event shares timestamps). */
  eventTypes = new Set<number>();
  onPacket: RtpHandler | undefined;

  constructor(
    private readonly ports: PortPair,
    cname: string,
  ) {
    for (let i = 0; i < SEND_RING; i++) this.ring.push(Buffer.alloc(RTP_HEADER + MAX_PAYLOAD));
    this.rtcp = new RtcpReporter(this, ports, cname);
    ports.rtp.on('message', this.onRtpMessage);
    ports.rtcp.on('message', (msg: Buffer) => {
      try {
        this.rtcp.receive(msg);
      } catch (err) {
        this.onError?.(err);
      }
    });
    // A socket error (ICMP unreachable on some systems) must not bring the process down.
    ports.rtp.on('error', () => {});
    ports.rtcp.on('error', () => {});
  }

  get rtpPort(): number {
    return this.ports.rtpPort;
  }

  get rtcpPort(): number {
    return this.ports.rtcpPort;
  }

  /** Clock rate of the stream we send, for converting jitter in RTCP reports to ms. */
  setClockRate(rate: number): void {
    this.rtcp.clockRate = rate;
  }

  get remoteReport(): RtcpReporter['remote'] {
    return this.rtcp.remote;
  }

  /** Where to send; a new SDP address resets the latch so the peer can move. */
  setRemote(remote: RemoteMedia): void {
    if (remote.address !== this.destAddress || remote.port !== this.destPort) this.latched = false;
    this.destAddress = remote.address;
    this.destPort = remote.port;
    this.rtcp.setRemote(remote);
  }

  /** Per ring slot, the view last sent from it (same index as `ring`). */
  private readonly views: Buffer[] = [];

  /** The buffer to write the next payload into, at offset RTP_HEADER. */
  nextBuffer(): Buffer {
    const b = this.ring[this.ringIndex];
    this.ringIndex = (this.ringIndex + 1) % SEND_RING;
    return b;
  }

  /**
   * Sends the packet in `buf` (from nextBuffer) with `payloadLength` bytes of
   * payload at the given timestamp.
   */
  send(buf: Buffer, payloadLength: number, payloadType: number, marker: boolean, timestamp: number): void {
    if (this.closed || this.destPort === 0) return;
    const seq = this.seq;
    this.seq = (seq + 1) & 0xffff;
    // RFC 3550 §5.1 fixed header: V=2, no padding, no extension, no CSRC.
    buf[0] = 0x80;
    buf[1] = (marker ? 0x80 : 0) | payloadType;
    buf[2] = seq >>> 8;
    buf[3] = seq & 0xff;
    buf.writeUInt32BE(timestamp >>> 0, 4);
    buf.writeUInt32BE(this.ssrc, 8);
    // A view of exactly the packet's length: dgram then sends it as it is,
    // where an offset and length would cost a new slice on every packet.
    // The view is kept per ring slot (an array index, not a map look-up).
    const length = RTP_HEADER + payloadLength;
    const slot = this.ring.indexOf(buf);
    let view: Buffer | undefined = this.views[slot];
    if (view?.length !== length) {
      view = buf.subarray(0, length);
      if (slot >= 0) this.views[slot] = view;
    }
    this.ports.rtp.send(view, this.destPort, this.destAddress);
    this.sentPackets++;
    this.sentBytes += payloadLength;
    this.rtcp.lastSentTimestamp = timestamp;
  }

  /** Called on every clock tick by the owner: sends RTCP when due. */
  tickRtcp(nowMs: number): void {
    if (!this.closed) this.rtcp.maybeSend(nowMs);
  }

  private readonly onRtpMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    try {
      this.handleRtp(msg, rinfo);
    } catch (err) {
      // Whatever a packet contains, it must not take the process down.
      this.onError?.(err);
    }
  };

  /** Told about a packet that made the receive path throw (it was dropped). */
  onError: ((err: unknown) => void) | undefined;

  private handleRtp(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.closed || msg.length < RTP_HEADER || msg[0] >> 6 !== 2) return;
    const pt = msg[1] & 0x7f;
    // RFC 5761 §4: with rtcp-mux, packet types 192-223 in the second byte are RTCP.
    if (msg[1] >= 192 && msg[1] <= 223) {
      this.rtcp.receive(msg);
      return;
    }
    if (!this.acceptedTypes.has(pt)) return;
    const pkt = parse(msg);
    if (!pkt) return;
    if (rinfo.port !== this.destPort || rinfo.address !== this.destAddress) {
      if (!this.probe(rinfo, pkt.ssrc, pkt.sequenceNumber) && this.latched) return;
    } else {
      this.latched = true;
    }
    const rate = this.clockRates.get(pt) ?? 8000;
    const arrival = Math.round((performance.now() * rate) / 1000);
    this.recv.update(pkt.ssrc, pkt.sequenceNumber, pkt.timestamp, pkt.payload.length, arrival, !this.eventTypes.has(pt));
    this.onPacket?.(pt, pkt.payload, pkt.timestamp, pkt.marker);
  }

  /**
   * A valid RTP packet from somewhere other than where we send: latch to
   * that source once it has sent a short run of packets in sequence from
   * one SSRC (RFC 3550 A.1's probation idea: 2 packets before the first
   * latch, 4 to move away from a source already latched). Until then a
   * stray or forged packet cannot divert the stream. Returns true when the
   * destination moved to this source.
   */
  private probe(rinfo: dgram.RemoteInfo, ssrc: number, seq: number): boolean {
    const c = this.candidate;
    if (c.port === rinfo.port && c.address === rinfo.address && c.ssrc === ssrc && seq === ((c.seq + 1) & 0xffff)) {
      c.count++;
    } else {
      c.address = rinfo.address;
      c.port = rinfo.port;
      c.ssrc = ssrc;
      c.count = 1;
    }
    c.seq = seq;
    if (c.count < (this.latched ? 4 : 2)) return false;
    this.destAddress = rinfo.address;
    this.destPort = rinfo.port;
    this.latched = true;
    c.port = -1;
    return true;
  }

  private readonly candidate = { address: '', port: -1, ssrc: -1, seq: -1, count: 0 };

  /** Sends RTCP BYE (RFC 3550 §6.6) and closes both sockets. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.rtcp.sendBye();
    this.ports.rtp.close();
    this.ports.rtcp.close();
  }
}
