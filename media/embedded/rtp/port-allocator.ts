import dgram from 'node:dgram';
import dns from 'node:dns';
import { isIPv4 } from 'node:net';
import { MediaError } from '../../errors.js';

export interface PortPair {
  rtp: dgram.Socket;
  rtcp: dgram.Socket;
  rtpPort: number;
  rtcpPort: number;
}

/**
 * dgram resolves the destination of every send through `lookup`; the default
 * (dns.lookup) defers even an IP literal to the next tick. RTP destinations
 * are nearly always literals, so answer those at once.
 */
type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;
const literalLookup = ((host: string, opts: dns.LookupOneOptions, cb: LookupCallback): void => {
  if (isIPv4(host)) cb(null, host, 4);
  else dns.lookup(host, opts, cb);
}) as unknown as typeof dns.lookup;

function bind(port: number, address: string): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket({ type: 'udp4', lookup: literalLookup });
    const onError = (err: Error): void => {
      s.close();
      reject(err);
    };
    s.once('error', onError);
    s.bind({ port, address, exclusive: true }, () => {
      s.off('error', onError);
      resolve(s);
    });
  });
}

/**
 * Hands out RTP/RTCP socket pairs from the configured port range: RTP on an
 * even port and RTCP on the next odd one (RFC 3550 §11). A port in use by
 * another process is skipped. With min = 0 the system picks both ports
 * (RTCP then is not RTP+1, and the SDP says so with a=rtcp, RFC 3605).
 */
export class PortAllocator {
  private readonly inUse = new Set<number>();
  private cursor: number;

  constructor(
    private readonly min: number,
    private readonly max: number,
    private readonly address: string,
  ) {
    if (min !== 0 && (min < 1024 || max > 65535 || max - min < 1)) {
      throw new RangeError(`bad RTP port range ${min}-${max}`);
    }
    this.cursor = min + (min % 2);
  }

  async allocate(): Promise<PortPair> {
    if (this.min === 0) {
      const rtp = await bind(0, this.address);
      const rtcp = await bind(0, this.address).catch((err: unknown) => {
        rtp.close();
        throw err;
      });
      return { rtp, rtcp, rtpPort: rtp.address().port, rtcpPort: rtcp.address().port };
    }
    const first = this.min + (this.min % 2);
    const pairs = Math.floor((this.max - first + 1) / 2);
    for (let tried = 0; tried < pairs; tried++) {
      const port = this.cursor;
      this.cursor += 2;
      if (this.cursor + 1 > this.max) this.cursor = first;
      if (this.inUse.has(port)) continue;
      this.inUse.add(port);
      try {
        const rtp = await bind(port, this.address);
        try {
          const rtcp = await bind(port + 1, this.address);
          return { rtp, rtcp, rtpPort: port, rtcpPort: port + 1 };
        } catch {
          rtp.close();
        }
      } catch {
        // taken by someone else: try the next pair
      }
      this.inUse.delete(port);
    }
    throw new MediaError('no-ports', `no free RTP port pair in ${this.min}-${this.max}`);
  }

  release(rtpPort: number): void {
    this.inUse.delete(rtpPort);
  }

  get used(): number {
    return this.inUse.size;
  }
}
