/**
 * A raw SIP peer for tests: a UDP socket or a TCP connection on 127.0.0.1 that
 * sends bytes exactly as given and collects what comes back, split into
 * messages and lightly parsed (start line, headers, body). It parses only what
 * a well-behaved server sends; it does not use the code under test.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';

export interface HostPort {
  address: string;
  port: number;
}

/** A message received from the server, as it came off the wire. */
export interface WireMessage {
  raw: Buffer;
  startLine: string;
  /** Status code for a response, undefined for a request. */
  status?: number;
  /** Method for a request, undefined for a response. */
  method?: string;
  /** Header lines in order, names as sent. */
  headers: Array<[string, string]>;
  body: Buffer;
  /** Milliseconds (performance.now()) when it arrived. */
  at: number;
}

/** RFC 3261 §7.3.3 compact forms, for reading what the server sends. */
const COMPACT: Record<string, string> = {
  i: 'call-id', m: 'contact', e: 'content-encoding', l: 'content-length', c: 'content-type',
  f: 'from', s: 'subject', k: 'supported', t: 'to', v: 'via',
};

function canonical(name: string): string {
  const lower = name.trim().toLowerCase();
  return COMPACT[lower] ?? lower;
}

/** First value of a header (case-insensitive, compact forms understood). */
export function header(msg: WireMessage, name: string): string | undefined {
  const want = canonical(name);
  return msg.headers.find(([n]) => canonical(n) === want)?.[1];
}

/** All values of a header, one entry per header line. */
export function headers(msg: WireMessage, name: string): string[] {
  const want = canonical(name);
  return msg.headers.filter(([n]) => canonical(n) === want).map(([, v]) => v);
}

export function cseqMethod(msg: WireMessage): string | undefined {
  return header(msg, 'cseq')?.trim().split(/\s+/)[1];
}

/** Parses one complete message (head and body already delimited). */
export function parseWireMessage(raw: Buffer, headLength: number, bodyStart: number): WireMessage {
  const head = raw.subarray(0, headLength).toString('latin1');
  const lines = head.split('\r\n');
  const startLine = lines.shift() ?? '';
  const hdrs: Array<[string, string]> = [];
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && hdrs.length > 0) {
      const last = hdrs[hdrs.length - 1];
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    hdrs.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const msg: WireMessage = { raw, startLine, headers: hdrs, body: raw.subarray(bodyStart), at: performance.now() };
  const status = /^SIP\/2\.0 (\d{3}) /.exec(startLine + ' ');
  if (status) msg.status = Number(status[1]);
  else msg.method = startLine.split(' ')[0];
  return msg;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** Splits a byte stream into messages by the blank line and Content-Length (§18.3). */
export class StreamSplitter {
  private buf = Buffer.alloc(0);

  push(chunk: Buffer): WireMessage[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: WireMessage[] = [];
    for (;;) {
      // RFC 5626 keep-alive CRLFs between messages.
      let skip = 0;
      while (skip < this.buf.length && (this.buf[skip] === 0x0d || this.buf[skip] === 0x0a)) skip++;
      if (skip > 0) this.buf = this.buf.subarray(skip);
      const end = this.buf.indexOf(HEAD_END);
      if (end < 0) return out;
      const head = this.buf.subarray(0, end).toString('latin1');
      const cl = /\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)/i.exec(head);
      const bodyLength = cl ? Number(cl[1]) : 0;
      const total = end + 4 + bodyLength;
      if (this.buf.length < total) return out;
      const raw = Buffer.from(this.buf.subarray(0, total));
      this.buf = this.buf.subarray(total);
      out.push(parseWireMessage(raw, end, end + 4));
    }
  }
}

/** Parses a datagram; null when it holds no message head. */
export function parseDatagram(data: Buffer): WireMessage | null {
  const end = data.indexOf(HEAD_END);
  if (end < 0) return null;
  return parseWireMessage(Buffer.from(data), end, end + 4);
}

export type Predicate = (m: WireMessage) => boolean;

/** What both kinds of peer offer. */
export abstract class SipPeer {
  abstract readonly transport: 'udp' | 'tcp' | 'tls';
  abstract readonly local: HostPort;
  readonly received: WireMessage[] = [];
  private waiters: Array<() => void> = [];

  abstract send(data: Buffer | string): void;
  abstract close(): Promise<void>;

  protected deliver(msg: WireMessage): void {
    this.received.push(msg);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  protected wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves with the first received message (from index `from`) matching, or rejects after timeoutMs. */
  waitFor(pred: Predicate, timeoutMs: number, from = 0): Promise<WireMessage> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let i = from; i < this.received.length; i++) {
          if (pred(this.received[i])) {
            clearTimeout(timer);
            resolve(this.received[i]);
            return true;
          }
        }
        return false;
      };
      const arm = (): void => {
        if (!check()) this.waiters.push(arm);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== arm);
        const got = this.received.map((m) => m.startLine).join(' | ') || 'nothing';
        reject(new Error(`no matching message within ${timeoutMs} ms on ${this.transport} peer (received: ${got})`));
      }, timeoutMs);
      arm();
    });
  }
}

export class UdpPeer extends SipPeer {
  readonly transport = 'udp' as const;
  /** Datagrams that did not hold a SIP message head. */
  readonly junk: Buffer[] = [];

  private constructor(
    private readonly socket: dgram.Socket,
    readonly local: HostPort,
    private readonly target: HostPort,
  ) {
    super();
    socket.on('message', (data) => {
      const msg = parseDatagram(data);
      if (msg) this.deliver(msg);
      else this.junk.push(data);
    });
  }

  static async open(target: HostPort): Promise<UdpPeer> {
    const socket = dgram.createSocket('udp4');
    socket.on('error', () => undefined);
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    const a = socket.address();
    return new UdpPeer(socket, { address: a.address, port: a.port }, target);
  }

  send(data: Buffer | string): void {
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    this.socket.send(buf, this.target.port, this.target.address);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}

export class TcpPeer extends SipPeer {
  readonly transport = 'tcp' as const;
  private readonly splitter = new StreamSplitter();
  private closedFlag = false;
  /** Resolves when the connection has closed (by either side). */
  readonly closed: Promise<void>;

  private constructor(
    private readonly socket: net.Socket,
    readonly local: HostPort,
  ) {
    super();
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.closedFlag = true;
        this.wake();
        resolve();
      });
    });
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      for (const m of this.splitter.push(chunk)) this.deliver(m);
    });
  }

  static async connect(target: HostPort): Promise<TcpPeer> {
    const socket = net.connect({ host: target.address, port: target.port, localAddress: '127.0.0.1' });
    await once(socket, 'connect');
    socket.setNoDelay(true);
    return new TcpPeer(socket, { address: socket.localAddress ?? '127.0.0.1', port: socket.localPort ?? 0 });
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  send(data: Buffer | string): void {
    if (this.closedFlag || this.socket.destroyed) return;
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Resolves true when the server closes the connection within timeoutMs. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    if (this.closedFlag) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const result = await Promise.race([this.closed.then(() => true as const), timeout]);
    clearTimeout(timer);
    return result;
  }

  async close(): Promise<void> {
    if (this.closedFlag) return;
    this.socket.destroy();
    await this.closed;
  }
}

export async function openPeer(transport: 'udp' | 'tcp', target: HostPort): Promise<SipPeer> {
  return transport === 'udp' ? UdpPeer.open(target) : TcpPeer.connect(target);
}
