import dgram from 'node:dgram';
import { once } from 'node:events';

export interface ReceivedPacket {
  at: number; // performance.now() at arrival, ms
  pt: number;
  marker: boolean;
  seq: number;
  ts: number;
  ssrc: number;
  payload: Buffer;
  from: { address: string; port: number };
}

/** A test-side RTP peer on 127.0.0.1: records what arrives, sends what it is told. */
export class RtpPeer {
  readonly packets: ReceivedPacket[] = [];
  readonly rtcp: Buffer[] = [];
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];
  private seq = 1000;
  private ts = 5000;
  readonly ssrc = 0x11223344;

  private constructor(
    readonly socket: dgram.Socket,
    readonly rtcpSocket: dgram.Socket,
  ) {
    socket.on('message', (msg, rinfo) => {
      if (msg.length < 12) return;
      if (msg[1] >= 192 && msg[1] <= 223) {
        this.rtcp.push(msg);
      } else {
        this.packets.push({
          at: performance.now(),
          pt: msg[1] & 0x7f,
          marker: (msg[1] & 0x80) !== 0,
          seq: msg.readUInt16BE(2),
          ts: msg.readUInt32BE(4),
          ssrc: msg.readUInt32BE(8),
          payload: Buffer.from(msg.subarray(12)),
          from: { address: rinfo.address, port: rinfo.port },
        });
      }
      this.check();
    });
    rtcpSocket.on('message', (msg) => {
      this.rtcp.push(msg);
      this.check();
    });
  }

  static async open(): Promise<RtpPeer> {
    const a = dgram.createSocket('udp4');
    a.bind(0, '127.0.0.1');
    await once(a, 'listening');
    const b = dgram.createSocket('udp4');
    b.bind(0, '127.0.0.1');
    await once(b, 'listening');
    return new RtpPeer(a, b);
  }

  get port(): number {
    return this.socket.address().port;
  }

  get rtcpPort(): number {
    return this.rtcpSocket.address().port;
  }

  /** An SDP offer for this peer. */
  offer(opts: { codecs?: string[]; direction?: string; telephoneEvent?: boolean; address?: string } = {}): string {
    const codecs = opts.codecs ?? ['0 PCMU/8000', '8 PCMA/8000'];
    const te = opts.telephoneEvent ?? true;
    const pts = codecs.map((c) => c.split(' ')[0]);
    if (te) pts.push('101');
    const lines = [
      'v=0',
      'o=peer 1 1 IN IP4 127.0.0.1',
      's=test',
      `c=IN IP4 ${opts.address ?? '127.0.0.1'}`,
      't=0 0',
      `m=audio ${this.port} RTP/AVP ${pts.join(' ')}`,
      ...codecs.map((c) => `a=rtpmap:${c}`),
      ...(te ? ['a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16'] : []),
      `a=rtcp:${this.rtcpPort}`,
      `a=${opts.direction ?? 'sendrecv'}`,
    ];
    return lines.join('\r\n') + '\r\n';
  }

  /** Sends an RTP packet to `port` on 127.0.0.1. */
  send(port: number, pt: number, payload: Buffer, opts: { marker?: boolean; ts?: number; seq?: number } = {}): void {
    const h = Buffer.alloc(12);
    h[0] = 0x80;
    h[1] = (opts.marker ? 0x80 : 0) | pt;
    h.writeUInt16BE(opts.seq ?? this.seq++ & 0xffff, 2);
    h.writeUInt32BE((opts.ts ?? this.ts) >>> 0, 4);
    h.writeUInt32BE(this.ssrc, 8);
    this.socket.send(Buffer.concat([h, payload]), port, '127.0.0.1');
  }

  /** Sends a stream of 20 ms audio payloads, paced at 20 ms, then resolves. */
  async stream(port: number, pt: number, payloads: Buffer[]): Promise<void> {
    const start = performance.now();
    for (let i = 0; i < payloads.length; i++) {
      const due = start + i * 20;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.send(port, pt, payloads[i], { marker: i === 0, ts: this.ts });
      this.ts = (this.ts + 160) >>> 0;
    }
  }

  advanceTs(samples: number): number {
    this.ts = (this.ts + samples) >>> 0;
    return this.ts;
  }

  /** Resolves once pred() holds (checked on every packet), or rejects after ms. */
  waitFor(pred: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
      this.waiters.push({
        pred,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      });
    });
  }

  private check(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred()) return true;
      w.resolve();
      return false;
    });
  }

  close(): void {
    this.socket.close();
    this.rtcpSocket.close();
  }
}

/** The RTP port in an SDP's m=audio line. */
export function sdpAudioPort(sdp: string): number {
  const m = /^m=audio (\d+) /m.exec(sdp);
  if (!m) throw new Error('no m=audio in SDP');
  return Number(m[1]);
}
