/**
 * SIP peers over TLS for the tests: a client that connects to the server's
 * TLS listener, and a server that the SIP server connects to. Both frame
 * the stream as TCP does (StreamSplitter) and record what arrived.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { SipPeer, StreamSplitter, type HostPort } from '../../support/sip-wire-peer.js';

export interface PemFiles {
  certFile: string;
  keyFile: string;
}

/** A TLS client connection to the server; `authorized` says whether its certificate checked out against `ca`. */
export class TlsClientPeer extends SipPeer {
  readonly transport = 'tls' as const;
  private readonly splitter = new StreamSplitter();
  readonly closed: Promise<void>;

  private constructor(
    private readonly socket: tls.TLSSocket,
    readonly local: HostPort,
  ) {
    super();
    this.closed = new Promise((resolve) => socket.on('close', () => {
      this.wake();
      resolve();
    }));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      for (const m of this.splitter.push(chunk)) this.deliver(m);
    });
  }

  /** Connects, trusting only `caFile` (the server's self-signed certificate). */
  static async connect(target: HostPort, caFile: string): Promise<TlsClientPeer> {
    const socket = tls.connect({ host: target.address, port: target.port, ca: readFileSync(caFile), servername: 'localhost' });
    await once(socket, 'secureConnect');
    return new TlsClientPeer(socket, { address: socket.localAddress ?? '127.0.0.1', port: socket.localPort ?? 0 });
  }

  get authorized(): boolean {
    return this.socket.authorized;
  }

  send(data: Buffer | string): void {
    if (!this.socket.destroyed) this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    this.socket.destroy();
    await this.closed;
  }
}

/**
 * A TLS SIP endpoint listening on 127.0.0.1: it counts the connections
 * made to it and answers on the one a message last arrived on.
 */
export class TlsServerPeer extends SipPeer {
  readonly transport = 'tls' as const;
  private readonly sockets: tls.TLSSocket[] = [];
  private last?: tls.TLSSocket;
  /** Handshakes that failed on our side (the client went away, or was refused). */
  readonly handshakeErrors: string[] = [];

  private constructor(
    private readonly server: tls.Server,
    readonly local: HostPort,
  ) {
    super();
  }

  static async listen(files: PemFiles): Promise<TlsServerPeer> {
    const server = tls.createServer({ cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const addr = server.address() as { address: string; port: number };
    const peer = new TlsServerPeer(server, { address: addr.address, port: addr.port });
    server.on('secureConnection', (socket) => peer.adopt(socket));
    server.on('tlsClientError', (err) => {
      peer.handshakeErrors.push(err.message);
      peer.wakeAll();
    });
    return peer;
  }

  /** Connections accepted so far. */
  get connections(): number {
    return this.sockets.length;
  }

  private wakeAll(): void {
    this.wake();
  }

  private adopt(socket: tls.TLSSocket): void {
    this.sockets.push(socket);
    const splitter = new StreamSplitter();
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      this.last = socket;
      for (const m of splitter.push(chunk)) this.deliver(m);
    });
  }

  send(data: Buffer | string): void {
    this.last?.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
