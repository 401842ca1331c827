/**
 * A tiny SIP user agent over WebSocket, as a browser softphone (JsSIP,
 * SIP.js) talks to a server: `*.invalid` Via and Contact hosts, one SIP
 * message per WebSocket message. Messages are parsed with the sipstack's own
 * parser; tests wait for them by predicate.
 */
import { randomBytes } from 'node:crypto';
import { WebSocket, type ClientOptions } from 'ws';
import { parseMessage } from '../../../engine/sipstack/message/parser.js';
import type { SipMessage, SipRequest, SipResponse } from '../../../engine/sipstack/message/sip-message.js';

export interface Waiter {
  match: (m: SipMessage) => boolean;
  resolve: (m: SipMessage) => void;
}

export class WsSipClient {
  readonly received: SipMessage[] = [];
  /** Raw text of every message, in order. */
  readonly raw: string[] = [];
  private readonly waiters: Waiter[] = [];
  /** Our made-up host (RFC 7118 §5: the client does not know its address). */
  readonly host = `${randomBytes(4).toString('hex')}.invalid`;
  readonly user: string;
  private cseq = 1;
  closed: Promise<{ code: number; reason: string }>;

  private constructor(
    readonly socket: WebSocket,
    readonly transport: 'ws' | 'wss',
    user: string,
  ) {
    this.user = user;
    socket.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      this.raw.push(text);
      const parsed = parseMessage(data, { datagram: true, validate: false });
      if (!parsed.ok) return;
      this.received.push(parsed.message);
      for (const w of [...this.waiters]) {
        if (w.match(parsed.message)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(parsed.message);
        }
      }
    });
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async connect(url: string, opts: { user?: string; protocols?: string[]; tls?: ClientOptions } = {}): Promise<WsSipClient> {
    const socket = new WebSocket(url, opts.protocols ?? ['sip'], opts.tls ?? {});
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new WsSipClient(socket, url.startsWith('wss:') ? 'wss' : 'ws', opts.user ?? 'xyz');
  }

  /** The Contact URI the client registers (`sip:xyz@abcd.invalid;transport=ws`). */
  get contact(): string {
    return `sip:${this.user}@${this.host};transport=${this.transport}`;
  }

  via(branch = `z9hG4bK${randomBytes(6).toString('hex')}`): string {
    return `SIP/2.0/${this.transport.toUpperCase()} ${this.host};branch=${branch}`;
  }

  nextCSeq(): number {
    return this.cseq++;
  }

  send(text: string): void {
    this.socket.send(text);
  }

  /** Resolves with the first message (already received or coming) that matches. */
  waitFor(match: (m: SipMessage) => boolean, timeoutMs = 5000, what = 'a SIP message'): Promise<SipMessage> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`timed out waiting for ${what}; received: ${this.raw.map((r) => r.split('\r\n')[0]).join(' | ')}`));
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** A final response to the request with this Call-ID and CSeq method. */
  async finalResponse(callId: string, method: string): Promise<SipResponse> {
    const m = await this.waitFor(
      (x) => x.kind === 'response' && x.status >= 200 && x.headers.get('call-id') === callId && (x.headers.get('cseq') ?? '').endsWith(method),
      5000,
      `final response to ${method}`,
    );
    return m as SipResponse;
  }

  async request(method: string, callId?: string): Promise<SipRequest> {
    const m = await this.waitFor(
      (x) => x.kind === 'request' && x.method === method && (callId === undefined || x.headers.get('call-id') === callId),
      5000,
      `a ${method}`,
    );
    return m as SipRequest;
  }

  close(): void {
    this.socket.close();
  }
}

/** A response to `req` as a UA builds it (RFC 3261 §8.2.6.2): Via, From, To (+tag), Call-ID, CSeq copied. */
export function responseTo(req: SipRequest, status: number, reason: string, extra: string[] = [], body = ''): string {
  const h = req.headers;
  const lines = [`SIP/2.0 ${status} ${reason}`];
  for (const v of h.lines('via')) lines.push(`Via: ${v}`);
  lines.push(`From: ${h.get('from')}`);
  const to = h.get('to') ?? '';
  lines.push(`To: ${/;\s*tag=/i.test(to) ? to : `${to};tag=${randomBytes(4).toString('hex')}`}`);
  lines.push(`Call-ID: ${h.get('call-id')}`, `CSeq: ${h.get('cseq')}`, ...extra);
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`, '', body);
  return lines.join('\r\n');
}

export const SDP = [
  'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
  'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', '',
].join('\r\n');
