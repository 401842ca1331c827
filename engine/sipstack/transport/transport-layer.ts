import { parseMessage, type ParseOutcome } from '../message/parser.js';
import { serializeMessage } from '../message/serialize.js';
import { formatVia, parseVia } from '../message/via.js';
import type { SipMessage } from '../message/sip-message.js';
import { TcpTransport, type StreamTlsOptions } from './tcp-transport.js';
import { UdpTransport } from './udp-transport.js';
import { loadCaFile, loadTlsFiles, type TlsFiles } from './tls-files.js';
import { WsTransport } from './ws-transport.js';
import { chooseListener } from './listener-choice.js';
import { MessageCounters } from './message-counters.js';
import type { HostPort, InboundSource, MessageSender, SendTarget, TransportProtocol } from './types.js';

/** The transports a listener can carry. */
export type ListenProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

export interface ListenSpec {
  protocol: ListenProtocol;
  address: string;
  port: number;
  /** Address advertised in Via, Contact and Record-Route instead of the bound one (drachtio's external-ip). */
  externalAddress?: string;
  /** IPv4 CIDR of the network reached directly: messages to it advertise the bound address (drachtio's local-net). */
  localNet?: string;
}

export interface TransportLayerOptions {
  listen: ListenSpec[];
  maxMessageBytes: number;
  maxHeaders: number;
  tcpIdleTimeoutMs: number;
  /** Certificate and key files, needed by `tls` and `wss` listeners. */
  tls?: TlsFiles & {
    /** Check peers' certificates on TLS connections, both ways (default off, as drachtio-server). */
    verifyPeer?: boolean;
    /** Trust anchors (PEM file) for that check; Node's bundled CAs when absent. */
    caFile?: string;
  };
  /** How long a TCP or TLS connection we open may take, handshake included (default 16 s). */
  connectTimeoutMs?: number;
  /** WebSocket ping interval (default 30 s); a peer that misses a ping is dropped. */
  wsPingIntervalMs?: number;
  /**
   * Connections that stay open when idle: a client registered through one
   * cannot be reached in any other way.
   */
  keepConnection?: (connectionId: string) => boolean;
}

/** A transport we listen on, with the address and port it was bound to. */
export interface BoundTransport {
  protocol: ListenProtocol;
  local: HostPort;
  externalAddress?: string;
  localNet?: string;
}

export interface TransportEvents {
  /** A message that parsed; for requests the top Via already carries received/rport (§18.2.1). */
  message(message: SipMessage, source: InboundSource, raw: Buffer): void;
  /** A message that did not parse; outcome says whether a response is possible. */
  invalid(outcome: Extract<ParseOutcome, { ok: false }>, source: InboundSource, raw: Buffer): void;
  /** Something worth a log line that is not a message (framing errors, socket errors). */
  warning(text: string, detail: Record<string, unknown>): void;
  /** A connection (TCP, WebSocket) closed; whatever was tied to it can go. */
  connectionClosed?(connectionId: string): void;
}

/**
 * The SIP transports (RFC 3261 §18 and §26, RFC 7118): UDP, TCP, TLS and WebSocket listeners, parsing of what
 * arrives, the server transport's `received`/`rport` stamping of the top Via,
 * and sending on the right transport and connection.
 */
export class TransportLayer implements MessageSender {
  private readonly udp: UdpTransport[] = [];
  private readonly tcp: TcpTransport[] = [];
  private readonly tls: TcpTransport[] = [];
  private readonly ws: WsTransport[] = [];
  private readonly wss: WsTransport[] = [];
  private readonly bound: BoundTransport[] = [];
  /** Messages received (parsed) and sent, by method and response class, for metrics. */
  readonly counters = new MessageCounters();

  constructor(
    private readonly opts: TransportLayerOptions,
    private readonly events: TransportEvents,
  ) {}

  async start(): Promise<BoundTransport[]> {
    try {
      await this.startListeners();
    } catch (err) {
      // Nothing half-started stays bound: a failed start releases what it took.
      await this.stop();
      throw err;
    }
    return this.transports();
  }

  private async startListeners(): Promise<void> {
    for (const spec of this.opts.listen) {
      if (spec.protocol === 'udp') {
        const t = new UdpTransport(
          spec.address,
          spec.port,
          (data, remote, local) => this.receive(data, { protocol: 'udp', remote, local }),
          (err) => this.events.warning('udp socket error', { error: err.message }),
        );
        this.bound.push(boundOf(spec, await t.start()));
        this.udp.push(t);
      } else if (spec.protocol === 'ws' || spec.protocol === 'wss') {
        await this.startWebSocket(spec, spec.protocol);
      } else {
        await this.startStream(spec, spec.protocol);
      }
    }
  }

  /** A TCP listener, or a TLS one (RFC 3261 §26) framed the same way. */
  private async startStream(spec: ListenSpec, protocol: 'tcp' | 'tls'): Promise<void> {
    const tlsOptions = protocol === 'tls' ? await this.streamTls(spec) : undefined;
    const t = new TcpTransport(
      spec.address,
      spec.port,
      (data, remote, local, connectionId) => this.receive(data, { protocol, remote, local, connectionId }),
      (error, head, remote, local, connectionId) =>
        this.framingError(error, head, { protocol, remote, local, connectionId }),
      {
        maxMessageBytes: this.opts.maxMessageBytes,
        idleTimeoutMs: this.opts.tcpIdleTimeoutMs,
        keep: this.opts.keepConnection,
        onClose: (id) => this.events.connectionClosed?.(id),
        tls: tlsOptions,
        onTlsError: (error, remote) => this.events.warning('TLS handshake failed', { remote, error }),
        connectTimeoutMs: this.opts.connectTimeoutMs,
      },
    );
    this.bound.push(boundOf(spec, await t.start()));
    (protocol === 'tcp' ? this.tcp : this.tls).push(t);
  }

  private async streamTls(spec: ListenSpec): Promise<StreamTlsOptions> {
    const files = this.opts.tls;
    if (!files) throw new Error(`tls listener on ${spec.address}:${spec.port} needs sip.tls.certFile and sip.tls.keyFile`);
    const material = await loadTlsFiles(files);
    const ca = files.caFile ? await loadCaFile(files.caFile) : undefined;
    return { ...material, verifyPeer: files.verifyPeer ?? false, ...(ca ? { ca } : {}) };
  }

  /** RFC 7118: a `ws` or `wss` listener; `wss` serves the configured certificate. */
  private async startWebSocket(spec: ListenSpec, protocol: 'ws' | 'wss'): Promise<void> {
    let tls;
    if (protocol === 'wss') {
      if (!this.opts.tls) throw new Error(`wss listener on ${spec.address}:${spec.port} needs sip.tls.certFile and sip.tls.keyFile`);
      tls = await loadTlsFiles(this.opts.tls);
    }
    const t = new WsTransport(
      spec.address,
      spec.port,
      (data, remote, local, connectionId) => this.receive(data, { protocol, remote, local, connectionId }),
      {
        tls,
        maxMessageBytes: this.opts.maxMessageBytes,
        idleTimeoutMs: this.opts.tcpIdleTimeoutMs,
        pingIntervalMs: this.opts.wsPingIntervalMs ?? 30_000,
        keep: this.opts.keepConnection,
        onClose: (id) => this.events.connectionClosed?.(id),
        onWarning: (text, detail) => this.events.warning(text, detail),
      },
    );
    this.bound.push(boundOf(spec, await t.start()));
    (protocol === 'ws' ? this.ws : this.wss).push(t);
  }

  transports(): BoundTransport[] {
    return this.bound.map((b) => ({ ...b, local: { ...b.local } }));
  }

  /**
   * The bound transport for a protocol: with several, the one a message to
   * `remote` leaves from (chooseListener), else the first.
   */
  transportFor(protocol: TransportProtocol, remote?: string): BoundTransport | undefined {
    return chooseListener(this.bound.filter((b) => b.protocol === protocol), remote);
  }

  hasProtocol(protocol: TransportProtocol): boolean {
    return this.transportFor(protocol) !== undefined;
  }

  /**
   * The open WebSocket connection a message to `target` would go on, if any
   * (we cannot open one to a browser). Undefined for other transports.
   */
  webSocketConnection(target: SendTarget): string | undefined {
    if (target.protocol !== 'ws' && target.protocol !== 'wss') return undefined;
    const list = target.protocol === 'ws' ? this.ws : this.wss;
    for (const t of list) {
      const id = t.connection(target.remote, target.connectionId);
      if (id) return id;
    }
    return undefined;
  }

  /** Whether a connection (TCP, TLS, WebSocket) is still open; false for UDP. */
  connectionOpen(protocol: TransportProtocol, connectionId: string): boolean {
    const lists = { udp: [], tcp: this.tcp, tls: this.tls, ws: this.ws, wss: this.wss };
    return lists[protocol].some((t: TcpTransport | WsTransport) => t.hasConnection(connectionId));
  }

  async send(message: SipMessage, target: SendTarget): Promise<void> {
    this.counters.sent.count(message);
    await this.sendRaw(serializeMessage(message), target);
  }

  async sendRaw(data: Buffer, target: SendTarget): Promise<void> {
    // Several listeners of the protocol: the one the message was addressed from (LocalAddress picks the same).
    if (!target.local) target = { ...target, local: this.transportFor(target.protocol, target.remote.address)?.local };
    if (target.protocol === 'udp') {
      const t = pick(this.udp, target.local);
      if (!t) throw new Error('requested protocol/transport not available: udp');
      await t.send(data, target.remote);
    } else if (target.protocol === 'tcp' || target.protocol === 'tls') {
      const t = pick(target.protocol === 'tcp' ? this.tcp : this.tls, target.local);
      if (!t) throw new Error(`requested protocol/transport not available: ${target.protocol}`);
      await t.send(data, target.remote, target.connectionId);
    } else if (target.protocol === 'ws' || target.protocol === 'wss') {
      const list = target.protocol === 'ws' ? this.ws : this.wss;
      // The connection may belong to any listener of the protocol: find its owner.
      const owner = list.find((t) => t.connection(target.remote, target.connectionId)) ?? pick(list, target.local);
      if (!owner) throw new Error(`requested protocol/transport not available: ${target.protocol}`);
      await owner.send(data, target.remote, target.connectionId);
    } else {
      throw new Error(`requested protocol/transport not available: ${target.protocol}`);
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.udp, ...this.tcp, ...this.tls, ...this.ws, ...this.wss].map((t) => t.stop()));
    this.udp.length = 0;
    this.tcp.length = 0;
    this.tls.length = 0;
    this.ws.length = 0;
    this.wss.length = 0;
    this.bound.length = 0;
  }

  /**
   * A stream whose framing broke (bad or missing Content-Length, too large):
   * the connection is closed, and when the header section of a request was
   * read it still gets its 400 (or 513) first.
   */
  private framingError(error: string, head: Buffer | undefined, source: InboundSource): void {
    this.events.warning('stream framing error, closing connection', { remote: source.remote, error });
    if (!head) return;
    const outcome = parseMessage(head, { maxBytes: this.opts.maxMessageBytes, maxHeaders: this.opts.maxHeaders, datagram: true });
    const request = outcome.ok ? (outcome.message.kind === 'request' ? outcome.message : undefined) : outcome.request;
    if (!request || (!outcome.ok && outcome.drop)) return;
    const status = /larger than/.test(error) ? 513 : 400;
    this.events.invalid({ ok: false, error, request, status }, source, head);
  }

  private receive(data: Buffer, source: InboundSource): void {
    // RFC 3261 §7.5 / RFC 5626 §4.4.1: a bare CRLF (or two) on UDP is a keep-alive, not a message.
    if (data.length <= 4 && data.toString('latin1').trim() === '') return;
    let outcome: ParseOutcome;
    try {
      outcome = parseMessage(data, {
        maxBytes: this.opts.maxMessageBytes,
        maxHeaders: this.opts.maxHeaders,
        // RFC 7118 §5: one SIP message per WebSocket message, so the frame
        // bounds the message as a datagram does (Content-Length may be absent).
        datagram: source.protocol === 'udp' || source.protocol === 'ws' || source.protocol === 'wss',
      });
    } catch (err) {
      this.events.warning('parser failure', { error: (err as Error).message, remote: source.remote });
      return;
    }
    if (!outcome.ok) {
      this.events.invalid(outcome, source, data);
      return;
    }
    const message = outcome.message;
    if (message.kind === 'request' && !stampVia(message, source)) {
      this.events.invalid({ ok: false, error: 'unparsable Via header', request: message, status: 400 }, source, data);
      return;
    }
    this.counters.received.count(message);
    this.events.message(message, source, data);
  }
}

/** The listener bound to `local` when there is one, else the first (several contacts of one protocol). */
function pick<T extends { readonly local: HostPort | undefined }>(list: T[], local: HostPort | undefined): T | undefined {
  if (local && list.length > 1) {
    const found = list.find((t) => t.local?.port === local.port && (t.local.address === local.address || isWildcard(t.local.address)));
    if (found) return found;
  }
  return list[0];
}

function boundOf(spec: ListenSpec, local: HostPort): BoundTransport {
  return {
    protocol: spec.protocol,
    local,
    ...(spec.externalAddress ? { externalAddress: spec.externalAddress } : {}),
    ...(spec.localNet ? { localNet: spec.localNet } : {}),
  };
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/**
 * RFC 3261 §18.2.1: when the top Via's sent-by host differs from the packet's
 * source address, add `received`; RFC 3581 §4: when `rport` is present with no
 * value, fill in the source port (and then `received` is always added).
 */
function stampVia(message: SipMessage, source: InboundSource): boolean {
  const top = message.headers.values('via')[0];
  if (top === undefined) return true; // validation answers the missing Via
  let via;
  try {
    via = parseVia(top);
  } catch {
    return false;
  }
  let changed = false;
  const wantsRport = via.params.has('rport') && !via.params.get('rport');
  if (wantsRport) {
    via.params.set('rport', String(source.remote.port));
    changed = true;
  }
  if (via.host !== source.remote.address || wantsRport) {
    via.params.set('received', source.remote.address);
    changed = true;
  }
  if (changed) {
    message.headers.shift('via');
    message.headers.prepend('Via', formatVia(via));
  }
  return true;
}
