import net from 'node:net';
import tls from 'node:tls';
import { StreamFramer } from '../message/framer.js';
import type { HostPort } from './types.js';

/**
 * What makes a stream listener a TLS one (RFC 3261 §26.2.1): the certificate
 * it serves, and whether peers' certificates are checked (drachtio-server's
 * DRACHTIO_TLS_VERIFY_CLIENT_CERT: off unless asked for, in both directions).
 */
export interface StreamTlsOptions {
  cert: Buffer;
  key: Buffer;
  /** Intermediate certificates, sent after ours. */
  chain?: Buffer;
  /** Check the peer's certificate: client certificates on accepted connections, the server's on ours. */
  verifyPeer: boolean;
  /** Trust anchors used when verifying (PEM); Node's bundled CAs when absent. */
  ca?: Buffer;
}

export interface StreamMessageHandler {
  (data: Buffer, remote: HostPort, local: HostPort, connectionId: string): void;
}

interface Connection {
  id: string;
  socket: net.Socket;
  remote: HostPort;
  framer: StreamFramer;
  lastUsed: number;
}

const CRLF = Buffer.from('\r\n');

/** How long a connection whose framing broke stays open for the responses still owed on it. */
const BROKEN_CONNECTION_GRACE_MS = 1000;

/**
 * SIP over TCP (RFC 3261 §18), or over TLS (§26) when `opts.tls` is given: a
 * listening socket plus the connections it accepted or opened. Connections
 * are reused for every message to the same peer (§18.2.2: responses go back
 * on the connection the request came on), idle ones are closed after a while,
 * and a peer that breaks the framing is disconnected. Framing is the same on
 * both: TLS only wraps the byte stream.
 */
export class TcpTransport {
  private server?: net.Server;
  private bound?: HostPort;
  private readonly byId = new Map<string, Connection>();
  private readonly byRemote = new Map<string, Connection>();
  private readonly connecting = new Map<string, Promise<Connection>>();
  private nextId = 1;
  private idleTimer?: NodeJS.Timeout;

  constructor(
    private readonly address: string,
    private readonly port: number,
    private readonly onMessage: StreamMessageHandler,
    private readonly onFramingError: (error: string, head: Buffer | undefined, remote: HostPort, local: HostPort, connectionId: string) => void,
    private readonly opts: {
      maxMessageBytes: number;
      idleTimeoutMs: number;
      /** Connections that stay open when idle (a client registered through them). */
      keep?: (connectionId: string) => boolean;
      onClose?: (connectionId: string) => void;
      /** Present for a TLS listener. */
      tls?: StreamTlsOptions;
      /** A TLS handshake that failed (bad certificate, not TLS at all): worth a log line. */
      onTlsError?: (error: string, remote: HostPort) => void;
      /**
       * How long a connection we open may take, TLS handshake included
       * (default 16 s); a peer that accepts and then stalls is given up.
       */
      connectTimeoutMs?: number;
    },
  ) {}

  private get idPrefix(): string {
    return this.opts.tls ? 'tls' : 'tcp';
  }

  private secureContext(): tls.SecureContextOptions {
    const t = this.opts.tls!;
    return { cert: t.chain ? Buffer.concat([t.cert, Buffer.from('\n'), t.chain]) : t.cert, key: t.key, ...(t.ca ? { ca: t.ca } : {}) };
  }

  async start(): Promise<HostPort> {
    let server: net.Server;
    if (this.opts.tls) {
      const verify = this.opts.tls.verifyPeer;
      const secure = tls.createServer({ ...this.secureContext(), requestCert: verify, rejectUnauthorized: verify }, (socket) => this.adopt(socket));
      secure.on('tlsClientError', (err, socket) =>
        this.opts.onTlsError?.(err.message, { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 }));
      server = secure;
    } else {
      server = net.createServer((socket) => this.adopt(socket));
    }
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => undefined);
    const addr = server.address() as net.AddressInfo;
    this.bound = { address: addr.address, port: addr.port };
    this.idleTimer = setInterval(() => this.closeIdle(), Math.max(1000, this.opts.idleTimeoutMs / 4));
    this.idleTimer.unref();
    return this.bound;
  }

  get local(): HostPort | undefined {
    return this.bound;
  }

  get connectionCount(): number {
    return this.byId.size;
  }

  /** Whether the connection with this id is still open. */
  hasConnection(connectionId: string): boolean {
    return this.byId.has(connectionId);
  }

  /** Sends on the given connection when it is open, else on any connection to the peer, else on a new one. */
  async send(data: Buffer, remote: HostPort, connectionId?: string): Promise<void> {
    let conn = connectionId ? this.byId.get(connectionId) : undefined;
    conn ??= this.byRemote.get(remoteKey(remote));
    conn ??= await this.connect(remote);
    conn.lastUsed = Date.now();
    await new Promise<void>((resolve, reject) => {
      conn.socket.write(data, (err) => (err ? reject(err) : resolve()));
    });
  }

  async stop(): Promise<void> {
    if (this.idleTimer) clearInterval(this.idleTimer);
    for (const c of this.byId.values()) c.socket.destroy();
    this.byId.clear();
    this.byRemote.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private connect(remote: HostPort): Promise<Connection> {
    const key = remoteKey(remote);
    const pending = this.connecting.get(key);
    if (pending) return pending;
    const promise = new Promise<Connection>((resolve, reject) => {
      const t = this.opts.tls;
      const socket = t
        ? tls.connect({
          ...this.secureContext(),
          host: remote.address,
          port: remote.port,
          // RFC 3261 §26.3.1: the server's certificate is checked when verification is on.
          rejectUnauthorized: t.verifyPeer,
          ...(net.isIP(remote.address) ? {} : { servername: remote.address }),
        })
        : net.connect({ host: remote.address, port: remote.port });
      const fail = (err: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      // Without a bound, a peer that accepts TCP but never finishes the TLS
      // handshake would hold this attempt, and every message waiting on it, forever.
      const ms = this.opts.connectTimeoutMs ?? 16_000;
      const timer = setTimeout(() => fail(new Error(`connection to ${remote.address}:${remote.port} not ${t ? 'secured' : 'made'} within ${ms} ms`)), ms);
      timer.unref();
      socket.once('error', fail);
      socket.once(t ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        resolve(this.adopt(socket));
      });
    }).finally(() => this.connecting.delete(key));
    this.connecting.set(key, promise);
    return promise;
  }

  private adopt(socket: net.Socket): Connection {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    const local = { address: socket.localAddress ?? '', port: socket.localPort ?? 0 };
    const conn: Connection = {
      id: `${this.idPrefix}-${this.nextId++}`,
      socket,
      remote,
      framer: new StreamFramer({ maxBytes: this.opts.maxMessageBytes }),
      lastUsed: Date.now(),
    };
    this.byId.set(conn.id, conn);
    this.byRemote.set(remoteKey(remote), conn);
    socket.on('data', (chunk) => {
      conn.lastUsed = Date.now();
      for (const item of conn.framer.push(chunk)) {
        if (item.kind === 'message') this.onMessage(item.data, remote, local, conn.id);
        else if (item.kind === 'keepalive') socket.write(CRLF); // RFC 5626 §4.4.1 pong
        else {
          // Framing is lost: nothing more can be read from this connection,
          // but answers to what was already read may still be on their way.
          this.onFramingError(item.error, item.head, remote, local, conn.id);
          socket.removeAllListeners('data');
          socket.pause();
          setTimeout(() => socket.destroy(), BROKEN_CONNECTION_GRACE_MS).unref();
          return;
        }
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.byId.delete(conn.id);
      if (this.byRemote.get(remoteKey(remote)) === conn) this.byRemote.delete(remoteKey(remote));
      this.opts.onClose?.(conn.id);
    });
    return conn;
  }

  private closeIdle(): void {
    const cutoff = Date.now() - this.opts.idleTimeoutMs;
    for (const c of this.byId.values()) if (c.lastUsed < cutoff && !this.opts.keep?.(c.id)) c.socket.end();
  }
}

function remoteKey(r: HostPort): string {
  return `${r.address}|${r.port}`;
}
