import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { HostPort } from './types.js';

export interface DatagramHandler {
  (data: Buffer, remote: HostPort, local: HostPort): void;
}

/** One UDP socket carrying SIP (RFC 3261 §18.3: one message per datagram). */
export class UdpTransport {
  private socket?: dgram.Socket;
  private bound?: HostPort;

  constructor(
    private readonly address: string,
    private readonly port: number,
    private readonly onDatagram: DatagramHandler,
    private readonly onError: (err: Error) => void,
  ) {}

  async start(): Promise<HostPort> {
    const socket = dgram.createSocket({ type: isIPv6(this.address) ? 'udp6' : 'udp4', reuseAddr: false });
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.port, this.address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // A busy SIP socket needs room for bursts of datagrams.
    try {
      socket.setRecvBufferSize(4 * 1024 * 1024);
      socket.setSendBufferSize(4 * 1024 * 1024);
    } catch {
      // the kernel may cap these; the defaults still work
    }
    const addr = socket.address();
    const local = { address: addr.address, port: addr.port };
    this.bound = local;
    socket.on('message', (data, rinfo) => {
      this.onDatagram(data, { address: rinfo.address, port: rinfo.port }, local);
    });
    socket.on('error', (err) => this.onError(err));
    return local;
  }

  get local(): HostPort | undefined {
    return this.bound;
  }

  send(data: Buffer, remote: HostPort): Promise<void> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new Error('UDP transport is not started'));
    return new Promise((resolve, reject) => {
      socket.send(data, remote.port, remote.address, (err) => (err ? reject(err) : resolve()));
    });
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
