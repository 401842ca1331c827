import type { Logger } from 'pino';
import type { HttpMethod } from '../../instructions/index.js';
import { callbackTimestamp } from '../webhooks/status-callback.js';
import type { WebhookTransport } from '../webhooks/http-transport.js';
import type { Binding } from './registrar.js';

/** What happened to a user's registration. */
export type PresenceEvent = 'registered' | 'refreshed' | 'unregistered' | 'expired';

export interface PresenceChange {
  accountSid: string;
  username: string;
  event: PresenceEvent;
  /** The user's bindings after the change. */
  bindings: readonly Binding[];
  /** The bindings the event is about (added, refreshed, removed or lapsed). */
  changed: readonly Binding[];
  at: number;
}

export interface PresenceNotifierOptions {
  url: string;
  method: HttpMethod;
  transport: WebhookTransport;
  /** Signing key per account (X-Twilio-Signature). */
  authTokenOf: (accountSid: string) => string | undefined;
  /** Changes waiting to be sent; more are dropped and logged. */
  maxQueue?: number;
  timeoutMs?: number;
  log: Logger;
}

/** A contact as the presence callback and the REST API describe it. */
export interface ContactView {
  uri: string;
  expires: number;
  protocol: string;
  received: string;
  user_agent: string | null;
}

export function contactView(b: Binding, now: number): ContactView {
  return {
    uri: b.contactUri,
    expires: Math.max(0, Math.ceil((b.expiresAt - now) / 1000)),
    protocol: b.source.protocol,
    received: `${b.source.address}:${b.source.port}`,
    user_agent: b.userAgent ?? null,
  };
}

/** The form parameters of one presence callback. */
export function presenceParams(change: PresenceChange, sequence: number): Record<string, string> {
  return {
    AccountSid: change.accountSid,
    Username: change.username,
    Status: change.bindings.length > 0 ? 'online' : 'offline',
    Event: change.event,
    ContactCount: String(change.bindings.length),
    Contacts: JSON.stringify(change.bindings.map((b) => contactView(b, change.at))),
    ChangedContacts: JSON.stringify(change.changed.map((b) => b.contactUri)),
    Timestamp: callbackTimestamp(new Date(change.at)),
    SequenceNumber: String(sequence),
  };
}

/**
 * Sends presence changes to the configured URL, one at a time in the order
 * they happened, never holding up SIP: notify() queues and returns. The
 * queue is bounded; failures are logged, not retried. Every change takes the
 * next SequenceNumber, sent or not, so a receiver sees a gap where a change
 * was dropped and can read the current state from the REST API.
 */
export class PresenceNotifier {
  private readonly queue: { change: PresenceChange; sequence: number }[] = [];
  private running = false;
  private sequence = 0;
  private dropped = 0;
  private readonly stop = new AbortController();
  private idle: (() => void)[] = [];

  constructor(private readonly opts: PresenceNotifierOptions) {}

  notify(change: PresenceChange): void {
    if (this.stop.signal.aborted) return;
    const sequence = this.sequence++;
    if (this.queue.length >= (this.opts.maxQueue ?? 1000)) {
      this.dropped++;
      this.opts.log.warn({ username: change.username, event: change.event, sequence, dropped: this.dropped }, 'presence callback dropped: queue full');
      return;
    }
    this.queue.push({ change, sequence });
    if (!this.running) void this.drain();
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Resolves once everything queued has been sent or given up. */
  whenIdle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  async close(): Promise<void> {
    this.stop.abort();
    this.queue.length = 0;
    await this.whenIdle();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) await this.deliver(next.change, next.sequence);
    } finally {
      this.running = false;
      for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  private async deliver(change: PresenceChange, sequence: number): Promise<void> {
    const { url, method, transport, log } = this.opts;
    const authToken = this.opts.authTokenOf(change.accountSid) ?? '';
    const params = presenceParams(change, sequence);
    try {
      const outcome = await transport.send(
        { url, method, params, authToken },
        { timeouts: { responseTimeoutMs: this.opts.timeoutMs ?? 10_000 }, signal: this.stop.signal, readBody: false },
      );
      if ('error' in outcome) log.warn({ url, username: change.username, event: change.event, reason: outcome.error.message }, 'presence callback failed');
      else if (outcome.response.status >= 400) log.warn({ url, username: change.username, event: change.event, status: outcome.response.status }, 'presence callback refused');
    } catch (err) {
      log.warn({ url, username: change.username, reason: (err as Error).message }, 'presence callback failed');
    }
  }
}
