import { randomUUID } from 'node:crypto';
import type net from 'node:net';
import { frameWireMessage } from './framing.js';
import { formatMeta, type SipMeta } from './wire-message.js';

/**
 * One connected drachtio-srf application: the admin socket, whether it has
 * authenticated, the methods it asked for and the tags it declared.
 */
export class AppConnection {
  authenticated = false;
  readonly methods = new Set<string>();
  readonly tags = new Set<string>();
  closed = false;

  constructor(
    readonly id: string,
    private readonly socket: net.Socket,
  ) {}

  get remote(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort}`;
  }

  /** Answers a request the application sent: `<uuid>|response|<msgId>|OK|...` or `NOK`. */
  respond(msgId: string, ok: boolean, data?: string, sip?: string): void {
    let payload = `${randomUUID()}|response|${msgId}|${ok ? 'OK' : 'NOK'}`;
    if (data !== undefined && data !== '') payload += `|${data}`;
    if (sip !== undefined) payload += `\r\n${sip}`;
    this.write(payload);
  }

  /**
   * Delivers a SIP message: `<uuid>|sip|<meta>|<txnId>|<dialogId>|[<extra>|...]\r\n<sip>`.
   * extra carries, for new requests, the local address and port it arrived on.
   */
  sendSip(meta: SipMeta, transactionId: string, dialogId: string, sip: string, extra: string[] = []): void {
    const tail = extra.length > 0 ? `${extra.join('|')}|` : '';
    this.write(`${randomUUID()}|sip|${formatMeta(meta)}|${transactionId}|${dialogId}|${tail}\r\n${sip}`);
  }

  /** A cdr event: `<uuid>|cdr:<kind>|<source>|<time>|[<reason>|]\r\n<sip>`. */
  sendCdr(kind: 'attempt' | 'start' | 'stop', source: string, time: string, reason: string | undefined, sip: string): void {
    const r = kind === 'attempt' ? '' : `|${reason ?? ''}`;
    this.write(`${randomUUID()}|cdr:${kind}|${source}|${time}${r}\r\n${sip}`);
  }

  write(payload: string): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(frameWireMessage(payload));
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }
}
