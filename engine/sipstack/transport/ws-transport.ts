import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { isUtf8 } from 'node:buffer';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { HostPort } from './types.js';

export interface WsMessageHandler {
  (data: Buffer, remote: HostPort, local: HostPort, connectionId: string): void;
}

/** Certificate and key (PEM text) for a `wss` listener. */
export interface WsTlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** Intermediate certificates, appended to the chain the server presents. */
  chain?: Buffer;
}

export interface WsTransportOptions {
  /** Present for `wss`: the listener is an HTTPS server. */
  tls?: WsTlsMaterial;
  /** Largest WebSocket message accepted; a larger one closes the connection (1009). */
  maxMessageBytes: number;
  /** A connection with no traffic for this long is closed, unless `keep` says otherwise. */
  idleTimeoutMs: number;
  /** How often each connection is pinged; one that has not answered the previous ping by then is dropped. */
  pingIntervalMs: number;
  /** Connections that must stay open even when idle (a client registered through them). */
  keep?: (connectionId: string) => boolean;
  onClose?: (connectionId: string) => void;
  onWarning?: (text: string, detail: Record<string, unknown>) => void;
}

interface Connection {
  id: string;
  socket: WebSocket;
  remote: HostPort;
  lastUsed: number;
  alive: boolean;
}

/** RFC 7118 §4: the WebSocket subprotocol for SIP. */
export const SIP_SUBPROTOCOL = 'sip';

/** RFC 5626 §4.4.1's double-CRLF ping, as SIP.js sends it over WebSocket, and its CRLF pong. */
const CRLF_PING = '\r\n\r\n';
const CRLF_PONG = '\r\n';

/**
 * SIP over WebSocket (RFC 7118), plain (`ws`) or over TLS (`wss`): an HTTP
 * server that upgrades only handshakes offering the `sip` subprotocol, one
 * SIP message per WebSocket message in either direction. We never open a
 * WebSocket ourselves (the peers are browsers): a message goes out only on a
 * connection the peer opened.
 */
export class WsTransport {
  private http?: http.Server | https.Server;
  private wss?: WebSocketServer;
  private bound?: HostPort;
  private readonly byId = new Map<string, Connection>();
  private readonly byRemote = new Map<string, Connection>();
  private nextId = 1;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly address: string,
    private readonly port: number,
    private readonly onMessage: WsMessageHandler,
    private readonly opts: WsTransportOptions,
  ) {}

  get secure(): boolean {
    return this.opts.tls !== undefined;
  }

  get local(): HostPort | undefined {
    return this.bound;
  }

  get connectionCount(): number {
    return this.byId.size;
  }

  /** Whether the connection with this id is still open. */
  hasConnection(connectionId: string): boolean {
    return this.byId.get(connectionId)?.socket.readyState === WebSocket.OPEN;
  }

  async start(): Promise<HostPort> {
    const tls = this.opts.tls;
    let server: http.Server | https.Server;
    try {
      server = tls
        ? https.createServer({ cert: tls.chain ? Buffer.concat([tls.cert, Buffer.from('\n'), tls.chain]) : tls.cert, key: tls.key })
        : http.createServer();
    } catch (err) {
      throw new Error(`wss listener on ${this.address}:${this.port}: unusable certificate or key: ${(err as Error).message}`, { cause: err });
    }
    this.http = server;
    // Plain HTTP requests get a short answer; only upgrades carry SIP.
    server.on('request', (_req, res) => {
      res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' });
      res.end('SIP over WebSocket (RFC 7118): connect with the "sip" subprotocol\n');
    });
    // A failed TLS handshake or a broken client socket must not reach the process.
    server.on('clientError', (_err, socket) => socket.destroy());
    if (tls) server.on('tlsClientError', (_err: Error, socket: net.Socket) => socket.destroy());
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.opts.maxMessageBytes,
      perMessageDeflate: false,
      handleProtocols: (offered) => (offered.has(SIP_SUBPROTOCOL) ? SIP_SUBPROTOCOL : false),
    });
    this.wss = wss;
    server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => this.upgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.opts.onWarning?.('WebSocket listener error', { error: err.message }));
    const addr = server.address() as net.AddressInfo;
    this.bound = { address: addr.address, port: addr.port };
    const every = Math.max(1000, Math.min(this.opts.pingIntervalMs, this.opts.idleTimeoutMs / 4));
    this.timer = setInterval(() => this.housekeeping(), every);
    this.timer.unref();
    return this.bound;
  }

  /** The open connection to this peer, by id first, else by address and port. */
  connection(remote: HostPort, connectionId?: string): string | undefined {
    const conn = (connectionId ? this.byId.get(connectionId) : undefined) ?? this.byRemote.get(remoteKey(remote));
    return conn && conn.socket.readyState === WebSocket.OPEN ? conn.id : undefined;
  }

  /** Sends on the given connection when it is open, else on any open connection from the peer; never opens one. */
  async send(data: Buffer, remote: HostPort, connectionId?: string): Promise<void> {
    const id = this.connection(remote, connectionId);
    const conn = id ? this.byId.get(id) : undefined;
    if (!conn) throw new Error(`no WebSocket connection to ${remote.address}:${remote.port}`);
    conn.lastUsed = Date.now();
    // RFC 7118 §5: SIP text goes in text frames; a body that is not UTF-8 needs a binary frame.
    const binary = !isUtf8(data);
    await new Promise<void>((resolve, reject) => {
      conn.socket.send(data, { binary }, (err) => (err ? reject(err) : resolve()));
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const c of this.byId.values()) c.socket.terminate();
    this.byId.clear();
    this.byRemote.clear();
    this.wss?.close();
    const server = this.http;
    this.http = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** RFC 7118 §4: the handshake must offer the `sip` subprotocol; one that does not is refused. */
  private upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!offered.includes(SIP_SUBPROTOCOL)) {
      const body = 'the "sip" WebSocket subprotocol is required (RFC 7118)\n';
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      this.opts.onWarning?.('WebSocket handshake without the sip subprotocol refused', { remote: socket.remoteAddress });
      return;
    }
    const wss = this.wss;
    if (!wss) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => this.adopt(ws, socket));
  }

  private adopt(ws: WebSocket, socket: net.Socket): void {
    const remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    const local = { address: socket.localAddress ?? '', port: socket.localPort ?? 0 };
    const conn: Connection = { id: `${this.secure ? 'wss' : 'ws'}-${this.nextId++}`, socket: ws, remote, lastUsed: Date.now(), alive: true };
    this.byId.set(conn.id, conn);
    this.byRemote.set(remoteKey(remote), conn);
    ws.on('message', (data: RawData) => {
      conn.lastUsed = Date.now();
      const bytes = toBuffer(data);
      if (bytes.length <= 4 && bytes.toString('latin1').trim() === '') {
        if (bytes.toString('latin1') === CRLF_PING) ws.send(CRLF_PONG);
        return;
      }
      this.onMessage(bytes, remote, local, conn.id);
    });
    ws.on('pong', () => {
      conn.alive = true;
    });
    // An oversized message (1009) or a protocol violation closes the connection; nothing more to do.
    ws.on('error', (err) => this.opts.onWarning?.('WebSocket connection error', { remote, error: err.message }));
    ws.on('close', () => {
      this.byId.delete(conn.id);
      if (this.byRemote.get(remoteKey(remote)) === conn) this.byRemote.delete(remoteKey(remote));
      this.opts.onClose?.(conn.id);
    });
  }

  /**
   * Each connection is pinged (RFC 6455 §5.5.2); one that did not answer the
   * previous ping is gone and is dropped. Idle connections are closed as over
   * TCP, except those a registered client can still be reached on.
   */
  private housekeeping(): void {
    const cutoff = Date.now() - this.opts.idleTimeoutMs;
    for (const c of this.byId.values()) {
      if (c.socket.readyState !== WebSocket.OPEN) continue;
      if (!c.alive) {
        c.socket.terminate();
        continue;
      }
      if (c.lastUsed < cutoff && !this.opts.keep?.(c.id)) {
        c.socket.close(1000, 'idle');
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function remoteKey(r: HostPort): string {
  return `${r.address}|${r.port}`;
}
