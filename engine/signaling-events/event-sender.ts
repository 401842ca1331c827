import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { SignalingEventDelivery } from '../../config/signaling-events.js';
import { silentLogger } from '../logger.js';
import { decodeBody, isInstructionsContentType } from '../webhooks/content-type.js';
import { WebhookErrorCode, type WebhookError } from '../webhooks/error-codes.js';
import { WebhookTransport, type HttpResponse, type WebhookTimeouts } from '../webhooks/http-transport.js';

/** One signaling event on its way to the application. */
export interface SignalingEvent {
  url: string;
  ruleId: string;
  /** Form parameters, Timestamp and SequenceNumber included. */
  params: Readonly<Record<string, string>>;
  /** Key of the X-Twilio-Signature HMAC: the call's account's auth token. */
  authToken: string;
}

/**
 * A callback answered 200 with instructions: the call should run them now.
 * Returning false says the call did not take them (it ended, or runs no
 * documents).
 */
export type InstructionsHandler = (callSid: string, twiml: string, event: SignalingEvent) => boolean | void;

/**
 * How the delivery of one event ended:
 * - `instructions`: answered 200 with a <Response> that the call took;
 * - `answered`: answered (status below 400) with nothing the call took;
 * - `failed`: not answered with success (4xx, or 5xx, timeouts, connection failures after the retries);
 * - `dropped`: never sent, or abandoned (queue full, the call's end grace passed, the sender closed).
 */
export type DeliveryOutcome = 'instructions' | 'answered' | 'failed' | 'dropped';

/** Told the outcome of one event, once. */
export type OutcomeListener = (outcome: DeliveryOutcome) => void;

export interface SignalingEventSenderOptions {
  delivery: SignalingEventDelivery;
  /** Share the engine's transport (and its connection pools); one is made otherwise. */
  transport?: WebhookTransport;
  onInstructions?: InstructionsHandler;
  logger?: Logger;
}

interface QueuedEvent {
  event: SignalingEvent;
  settle: OutcomeListener;
}

interface CallQueue {
  items: QueuedEvent[];
  running: boolean;
  /** Aborts the request in flight once the call's grace after its end has passed. */
  readonly stop: AbortController;
  grace: NodeJS.Timeout | undefined;
  idle: (() => void)[];
}

/**
 * The twiml of a callback's answer when it holds instructions: status 200,
 * an XML content type (or none and a body that starts like XML), and a
 * <Response> root. Anything else is not an instruction.
 */
export function instructionsOf(response: HttpResponse): string | undefined {
  if (response.status !== 200 || response.body.length === 0) return undefined;
  const text = decodeBody(response.body, response.charset);
  if (!isInstructionsContentType(response.mediaType, text)) return undefined;
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  return /^<Response[\s/>]/.test(skipProlog(trimmed)) ? trimmed : undefined;
}

/**
 * The document after its XML declaration and the comments before the root,
 * read in one pass (a regex with a repeated lazy comment group backtracks
 * exponentially on a body made of many comments).
 */
function skipProlog(text: string): string {
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>', 5);
    if (end === -1) return '';
    i = end + 2;
  }
  skipSpace();
  while (text.startsWith('<!--', i)) {
    const end = text.indexOf('-->', i + 4);
    if (end === -1) return '';
    i = end + 3;
    skipSpace();
  }
  return text.slice(i);
}

/**
 * Sends signaling events without ever holding up SIP: send() queues and
 * returns at once. Each call has a FIFO queue sent one request at a time in
 * order; calls do not wait for each other. A try is bounded by `timeoutMs`;
 * connection failures, timeouts and 5xx are tried again up to `retries`
 * times. A new event for a call whose queue is full is dropped with a log
 * line. Once a call ended (end()), what is queued may still go out for
 * `endGraceMs`; then it is dropped and the request in flight aborted.
 */
export class SignalingEventSender {
  private readonly calls = new Map<string, CallQueue>();
  private readonly transport: WebhookTransport;
  private readonly ownsTransport: boolean;
  private readonly delivery: SignalingEventDelivery;
  private readonly timeouts: Partial<WebhookTimeouts>;
  private readonly onInstructions: InstructionsHandler | undefined;
  private readonly log: Logger;
  private readonly closing = new AbortController();

  constructor(opts: SignalingEventSenderOptions) {
    this.ownsTransport = opts.transport === undefined;
    this.transport = opts.transport ?? new WebhookTransport();
    this.delivery = opts.delivery;
    const t = opts.delivery.timeoutMs;
    this.timeouts = { responseTimeoutMs: t, connectTimeoutMs: t, connectAttempts: 1 };
    this.onInstructions = opts.onInstructions;
    this.log = opts.logger ?? silentLogger();
  }

  /**
   * Queues an event for `callSid`; false when it was dropped (queue full, or
   * the sender is closed). `onOutcome` is told how its delivery ended, once
   * (at once with `dropped` when this returns false).
   */
  send(callSid: string, event: SignalingEvent, onOutcome?: OutcomeListener): boolean {
    const settle = this.settler(callSid, event, onOutcome);
    if (this.closing.signal.aborted) {
      settle('dropped');
      return false;
    }
    let call = this.calls.get(callSid);
    if (!call) {
      call = { items: [], running: false, stop: new AbortController(), grace: undefined, idle: [] };
      this.calls.set(callSid, call);
    }
    if (call.items.length >= this.delivery.perCallQueue) {
      this.log.warn(
        { callSid, rule: event.ruleId, sipMethod: event.params.SipMethod, sequence: event.params.SequenceNumber, reason: `queue full (${call.items.length} waiting)` },
        'signaling event dropped',
      );
      settle('dropped');
      return false;
    }
    call.items.push({ event, settle });
    if (!call.running) void this.drain(callSid, call);
    return true;
  }

  /** The call ended: what is queued for it may go out within the grace period, then is dropped. */
  end(callSid: string): void {
    const call = this.calls.get(callSid);
    if (!call || call.grace) return;
    call.grace = setTimeout(() => this.expire(callSid, call), this.delivery.endGraceMs);
    call.grace.unref();
  }

  /** Resolves when every event queued for `callSid` (or for all calls) has been sent or given up. */
  whenIdle(callSid?: string): Promise<void> {
    const queues = callSid === undefined ? [...this.calls.values()] : [this.calls.get(callSid)];
    return Promise.all(
      queues.map((call) => (call && (call.running || call.items.length > 0) ? new Promise<void>((resolve) => call.idle.push(resolve)) : undefined)),
    ).then(() => undefined);
  }

  /** Calls with events queued or in flight. */
  get trackedCalls(): number {
    return this.calls.size;
  }

  /** A listener that is called at most once and whose errors are logged, not thrown. */
  private settler(callSid: string, event: SignalingEvent, listener: OutcomeListener | undefined): OutcomeListener {
    let settled = false;
    return (outcome) => {
      if (settled || !listener) return;
      settled = true;
      try {
        listener(outcome);
      } catch (err) {
        this.log.error({ callSid, rule: event.ruleId, err: (err as Error).message }, 'signaling event outcome listener failed');
      }
    };
  }

  private expire(callSid: string, call: CallQueue): void {
    const dropped = call.items.splice(0);
    for (const { event, settle } of dropped) {
      this.log.warn({ callSid, rule: event.ruleId, sipMethod: event.params.SipMethod, reason: 'the call ended' }, 'signaling event dropped');
      settle('dropped');
    }
    call.stop.abort();
  }

  private async drain(callSid: string, call: CallQueue): Promise<void> {
    call.running = true;
    let current: QueuedEvent | undefined;
    try {
      for (current = call.items.shift(); current; current = call.items.shift()) {
        current.settle(await this.deliver(callSid, current.event, call.stop.signal));
      }
    } catch (err) {
      this.log.error({ callSid, err }, 'signaling event delivery failed unexpectedly');
      current?.settle('failed');
      for (const rest of call.items.splice(0)) rest.settle('dropped');
    } finally {
      call.running = false;
      clearTimeout(call.grace);
      if (this.calls.get(callSid) === call) this.calls.delete(callSid);
      for (const resolve of call.idle.splice(0)) resolve();
    }
  }

  private async deliver(callSid: string, event: SignalingEvent, callStop: AbortSignal): Promise<DeliveryOutcome> {
    const signal = AbortSignal.any([callStop, this.closing.signal]);
    const tries = 1 + this.delivery.retries;
    let lastError: WebhookError | undefined;
    for (let attempt = 1; attempt <= tries && !signal.aborted; attempt++) {
      const outcome = await this.transport.send(
        { url: event.url, method: 'POST', params: event.params, authToken: event.authToken },
        { timeouts: this.timeouts, signal },
      );
      if ('response' in outcome) {
        const { status } = outcome.response;
        if (status < 400) return this.answered(callSid, event, outcome.response);
        lastError = { code: WebhookErrorCode.HttpRetrievalFailure, message: `HTTP status ${status}`, url: event.url, status, retryable: status >= 500 ? '5xx' : undefined };
      } else {
        lastError = outcome.error;
      }
      if (lastError.retryable === undefined) break;
      if (attempt < tries && this.delivery.retryDelayMs > 0) {
        await sleep(this.delivery.retryDelayMs, undefined, { signal }).catch(() => undefined);
      }
    }
    this.log.warn(
      { callSid, rule: event.ruleId, url: event.url, sequence: event.params.SequenceNumber, code: lastError?.code, reason: signal.aborted ? 'the call ended' : lastError?.message },
      'signaling event not delivered',
    );
    return signal.aborted ? 'dropped' : 'failed';
  }

  private answered(callSid: string, event: SignalingEvent, response: HttpResponse): DeliveryOutcome {
    const twiml = instructionsOf(response);
    if (twiml === undefined || !this.onInstructions) return 'answered';
    try {
      return this.onInstructions(callSid, twiml, event) === false ? 'answered' : 'instructions';
    } catch (err) {
      this.log.error({ callSid, rule: event.ruleId, err: (err as Error).message }, 'instructions from a signaling event could not be run');
      return 'answered';
    }
  }

  /** Stops sending: queued events are dropped, requests in flight aborted. */
  async close(): Promise<void> {
    this.closing.abort();
    for (const call of this.calls.values()) {
      for (const { settle } of call.items.splice(0)) settle('dropped');
      clearTimeout(call.grace);
    }
    await this.whenIdle();
    this.calls.clear();
    if (this.ownsTransport) await this.transport.close();
  }
}
