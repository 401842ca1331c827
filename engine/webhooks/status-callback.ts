import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { HttpMethod } from '../../instructions/index.js';
import type { EventStream } from '../events/event-stream.js';
import { silentLogger } from '../logger.js';
import { WebhookErrorCode, type WebhookError } from './error-codes.js';
import { WebhookTransport, type WebhookTimeouts } from './http-transport.js';

export interface StatusCallback {
  url: string;
  method?: HttpMethod;
  /** CallSid, CallStatus, CallDuration, ...; SequenceNumber and Timestamp are added. */
  params: Readonly<Record<string, string>>;
  /** Signing key when it differs from the sender's. */
  authToken?: string;
  /** The application whose callback it is, for the event stream. */
  applicationId?: string;
}

export interface StatusCallbackSenderOptions {
  authToken: string;
  /** Share a transport (and its connection pools) with a WebhookClient; one is made otherwise. */
  transport?: WebhookTransport;
  /** Time allowed for each try; 10 s by default. */
  timeouts?: Partial<WebhookTimeouts>;
  /** Tries per callback, the first included; 3 by default. Only connection failures, timeouts and 5xx are tried again. */
  maxAttempts?: number;
  /** Pause between tries; 500 ms by default. */
  retryDelayMs?: number;
  /** Callbacks waiting per call; more are dropped (and logged). 32 by default. */
  maxQueuePerCall?: number;
  logger?: Logger;
  /** Where each try and its outcome are published (webhook.requested, webhook.answered). */
  events?: EventStream;
}

interface Pending {
  cb: StatusCallback;
  params: Record<string, string>;
}

interface CallQueue {
  nextSequence: number;
  items: Pending[];
  running: boolean;
  /** No more callbacks will come for this call: forget it once the queue drains. */
  ended: boolean;
  idle: (() => void)[];
}

/** RFC 1123 date with a numeric zone, the form of Twilio's Timestamp parameter. */
export function callbackTimestamp(date: Date = new Date()): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * Sends status callbacks without ever holding up the call: send() queues and
 * returns at once. Callbacks of one call go out one after another, in the
 * order they were queued, each numbered with SequenceNumber (from 0); calls
 * do not wait for each other. Failures are logged, never thrown.
 */
export class StatusCallbackSender {
  private readonly calls = new Map<string, CallQueue>();
  private readonly transport: WebhookTransport;
  private readonly ownsTransport: boolean;
  private readonly authToken: string;
  private readonly timeouts: Partial<WebhookTimeouts>;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly maxQueuePerCall: number;
  private readonly log: Logger;
  private readonly events: EventStream | undefined;
  private readonly stop = new AbortController();

  constructor(opts: StatusCallbackSenderOptions) {
    this.ownsTransport = opts.transport === undefined;
    this.transport = opts.transport ?? new WebhookTransport();
    this.authToken = opts.authToken;
    this.timeouts = { responseTimeoutMs: 10_000, ...opts.timeouts };
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 3);
    this.retryDelayMs = opts.retryDelayMs ?? 500;
    this.maxQueuePerCall = Math.max(1, opts.maxQueuePerCall ?? 32);
    this.log = opts.logger ?? silentLogger();
    this.events = opts.events;
  }

  /**
   * Queues a callback for `callSid`. `last: true` marks the call's final
   * callback (e.g. completed): the call's state is dropped once it is sent.
   * `firstSequence`: the SequenceNumber of a call's first callback here, when
   * earlier ones went out from elsewhere (another engine).
   */
  send(callSid: string, cb: StatusCallback, opts: { last?: boolean; firstSequence?: number } = {}): void {
    let call = this.calls.get(callSid);
    if (!call) {
      call = { nextSequence: opts.firstSequence ?? 0, items: [], running: false, ended: false, idle: [] };
      this.calls.set(callSid, call);
    }
    if (opts.last) call.ended = true;
    const sequence = call.nextSequence++;
    if (call.items.length >= this.maxQueuePerCall) {
      this.log.warn({ callSid, url: cb.url, sequence, queued: call.items.length }, 'status callback dropped: queue full');
      this.settle(callSid, call);
      return;
    }
    const params = { Timestamp: callbackTimestamp(), ...cb.params, SequenceNumber: String(sequence) };
    call.items.push({ cb, params });
    if (!call.running) void this.drain(callSid, call);
  }

  /** No more callbacks will come for `callSid`: its state is dropped once what is queued has gone. */
  end(callSid: string): void {
    const call = this.calls.get(callSid);
    if (!call) return;
    call.ended = true;
    this.settle(callSid, call);
  }

  /** Resolves when every callback queued for `callSid` (or for all calls) has been sent or given up. */
  whenIdle(callSid?: string): Promise<void> {
    const ids = callSid === undefined ? [...this.calls.keys()] : [callSid];
    return Promise.all(
      ids.map((id) => {
        const call = this.calls.get(id);
        if (!call || (!call.running && call.items.length === 0)) return undefined;
        return new Promise<void>((resolve) => call.idle.push(resolve));
      }),
    ).then(() => undefined);
  }

  /** Number of calls with state held (queued callbacks or a sequence counter). */
  get trackedCalls(): number {
    return this.calls.size;
  }

  private async drain(callSid: string, call: CallQueue): Promise<void> {
    call.running = true;
    try {
      for (let item = call.items.shift(); item; item = call.items.shift()) {
        await this.deliver(callSid, item);
      }
    } catch (err) {
      this.log.error({ callSid, err }, 'status callback delivery failed unexpectedly');
    } finally {
      call.running = false;
      this.settle(callSid, call);
    }
  }

  private settle(callSid: string, call: CallQueue): void {
    if (call.running || call.items.length > 0) return;
    if (call.ended) this.calls.delete(callSid);
    for (const resolve of call.idle.splice(0)) resolve();
  }

  private async deliver(callSid: string, item: Pending): Promise<void> {
    const { cb, params } = item;
    let lastError: WebhookError | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts && !this.stop.signal.aborted; attempt++) {
      const method = cb.method ?? 'POST';
      const about = {
        accountSid: params.AccountSid ?? '',
        ...(cb.applicationId !== undefined ? { applicationId: cb.applicationId } : {}),
        ...(params.CallSid !== undefined ? { callSid: params.CallSid } : {}),
        purpose: 'status-callback' as const,
        url: cb.url,
        method,
        params,
      };
      this.events?.publish({ type: 'webhook.requested', at: new Date(), ...about });
      const started = performance.now();
      const outcome = await this.transport.send({ url: cb.url, method, params, authToken: cb.authToken ?? this.authToken }, { timeouts: this.timeouts, signal: this.stop.signal, readBody: false });
      const latencyMs = Math.round((performance.now() - started) * 100) / 100;
      if ('response' in outcome) {
        const status = outcome.response.status;
        lastError = status < 400 ? undefined : { code: WebhookErrorCode.HttpRetrievalFailure, message: `HTTP status ${status}`, url: cb.url, status, retryable: status >= 500 ? '5xx' : undefined };
        this.events?.publish({ type: 'webhook.answered', at: new Date(), ...about, latencyMs, status, ...(lastError ? { error: { code: lastError.code, message: lastError.message } } : {}) });
        if (!lastError) return;
      } else {
        lastError = outcome.error;
        this.events?.publish({ type: 'webhook.answered', at: new Date(), ...about, latencyMs, error: { code: lastError.code, message: lastError.message } });
      }
      if (lastError.retryable === undefined) break;
      if (attempt < this.maxAttempts && this.retryDelayMs > 0) {
        await sleep(this.retryDelayMs, undefined, { signal: this.stop.signal }).catch(() => undefined);
      }
    }
    this.log.warn(
      { callSid, url: cb.url, sequence: params.SequenceNumber, code: lastError?.code, reason: lastError?.message },
      'status callback not delivered',
    );
  }

  /** Stops sending: queued callbacks are dropped, requests in flight aborted. */
  async close(): Promise<void> {
    this.stop.abort();
    for (const call of this.calls.values()) call.items.length = 0;
    await this.whenIdle();
    this.calls.clear();
    if (this.ownsTransport) await this.transport.close();
  }
}
