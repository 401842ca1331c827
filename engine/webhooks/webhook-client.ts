import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { EventStream } from '../events/event-stream.js';
import { InstructionError, parseInstructions, type HttpMethod, type InstructionDocument } from '../../instructions/index.js';
import { MAX_BODY } from '../call-log/call-log-record.js';
import { silentLogger } from '../logger.js';
import { decodeBody, isInstructionsContentType } from './content-type.js';
import { WebhookErrorCode, type RetryableFailure, type WebhookError } from './error-codes.js';
import { WebhookTransport, type HttpResponse, type WebhookTimeouts, type WebhookTransportOptions } from './http-transport.js';

/** Which failures of the primary URL are tried again, and how often, before the fallback. */
export interface RetryPolicy {
  on: readonly RetryableFailure[];
  /** Total tries of the primary URL, the first one included (1 = no retry). */
  attempts: number;
  /** Pause between tries; 0 by default. */
  delayMs?: number;
}

export interface FetchInstructionsRequest {
  url: string;
  method?: HttpMethod;
  /** Form parameters (CallSid, From, To, ...). */
  params: Readonly<Record<string, string>>;
  /** The application whose document it is, for the event stream. */
  applicationId?: string;
  fallbackUrl?: string;
  fallbackMethod?: HttpMethod;
  retry?: RetryPolicy;
  /** Per-application timeouts; the client's defaults fill the rest. */
  timeouts?: Partial<WebhookTimeouts>;
  /** Signing key for this request when it differs from the client's. */
  authToken?: string;
}

export type FetchInstructionsResult =
  | { document: InstructionDocument; url: string; usedFallback: boolean; primaryError?: WebhookError }
  | { error: WebhookError; primaryError?: WebhookError };

export interface WebhookClientOptions extends WebhookTransportOptions {
  /** Auth token used to sign requests (X-Twilio-Signature). */
  authToken: string;
  /** Share a transport (and its connection pools), e.g. with a StatusCallbackSender; one is made otherwise. */
  transport?: WebhookTransport;
  logger?: Logger;
  /** Where each request and its answer are published (webhook.requested, webhook.answered). */
  events?: EventStream;
}

/**
 * Asks an application's server for instructions: the primary URL (with an
 * optional retry policy), then the fallback URL with ErrorCode and ErrorUrl
 * added when the primary fails. Never throws; a failure comes back as
 * `{ error }` with a Twilio error code.
 */
export class WebhookClient {
  readonly transport: WebhookTransport;
  private readonly ownsTransport: boolean;
  private readonly authToken: string;
  private readonly log: Logger;
  private readonly events: EventStream | undefined;

  constructor(opts: WebhookClientOptions) {
    this.events = opts.events;
    this.ownsTransport = opts.transport === undefined;
    this.transport = opts.transport ?? new WebhookTransport(opts);
    this.authToken = opts.authToken;
    this.log = opts.logger ?? silentLogger();
  }

  async fetchInstructions(req: FetchInstructionsRequest, signal?: AbortSignal): Promise<FetchInstructionsResult> {
    const log = this.log.child({ callSid: req.params.CallSid });
    const primary = await this.fetchWithRetry(req, signal);
    if ('document' in primary) return { ...primary, usedFallback: false };
    log.warn({ url: primary.error.url, code: primary.error.code, reason: primary.error.message }, 'instructions request failed');
    if (req.fallbackUrl === undefined || signal?.aborted) return { error: primary.error };

    const params = { ...req.params, ErrorCode: String(primary.error.code), ErrorUrl: primary.error.url };
    const fallback = await this.fetchOnce(
      { ...req, url: req.fallbackUrl, method: req.fallbackMethod ?? 'POST', params },
      signal,
    );
    if ('document' in fallback) return { ...fallback, usedFallback: true, primaryError: primary.error };
    log.warn({ url: fallback.error.url, code: fallback.error.code, reason: fallback.error.message }, 'fallback instructions request failed');
    return { error: fallback.error, primaryError: primary.error };
  }

  private async fetchWithRetry(
    req: FetchInstructionsRequest,
    signal: AbortSignal | undefined,
  ): Promise<{ document: InstructionDocument; url: string } | { error: WebhookError }> {
    const attempts = Math.max(1, req.retry?.attempts ?? 1);
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.fetchOnce(req, signal);
      if ('document' in outcome) return outcome;
      const retryable = outcome.error.retryable;
      const again = attempt < attempts && retryable !== undefined && (req.retry?.on.includes(retryable) ?? false) && !signal?.aborted;
      if (!again) return outcome;
      this.log.debug({ callSid: req.params.CallSid, url: req.url, attempt, code: outcome.error.code }, 'retrying instructions request');
      const delayMs = req.retry?.delayMs ?? 0;
      if (delayMs > 0) await sleep(delayMs, undefined, { signal }).catch(() => undefined);
    }
  }

  private async fetchOnce(
    req: FetchInstructionsRequest,
    signal: AbortSignal | undefined,
  ): Promise<{ document: InstructionDocument; url: string } | { error: WebhookError }> {
    const method = req.method ?? 'POST';
    const about = {
      accountSid: req.params.AccountSid ?? '',
      ...(req.applicationId !== undefined ? { applicationId: req.applicationId } : {}),
      ...(req.params.CallSid !== undefined ? { callSid: req.params.CallSid } : {}),
      purpose: 'instructions' as const,
      url: req.url,
      method,
      params: req.params,
    };
    this.events?.publish({ type: 'webhook.requested', at: new Date(), ...about });
    const started = performance.now();
    const outcome = await this.transport.send(
      { url: req.url, method, params: req.params, authToken: req.authToken ?? this.authToken },
      { timeouts: req.timeouts, signal },
    );
    const result = 'error' in outcome ? outcome : readInstructions(outcome.response, req.url);
    if (this.events) {
      const status = 'response' in outcome ? outcome.response.status : 'error' in result ? result.error.status : undefined;
      this.events.publish({
        type: 'webhook.answered',
        at: new Date(),
        ...about,
        latencyMs: Math.round((performance.now() - started) * 100) / 100,
        ...(status !== undefined ? { status } : {}),
        ...('response' in outcome ? answeredBody(outcome.response) : {}),
        ...('error' in result ? { error: { code: result.error.code, message: result.error.message } } : {}),
      });
    }
    return result;
  }

  /** Closes the connection pools, unless the transport was given by the caller. */
  async close(): Promise<void> {
    if (this.ownsTransport) await this.transport.close();
  }
}

/** Turns an HTTP response into a document or the error Twilio would report. */
/** What an answered event tells of a response: its media type and its body as text (cut at MAX_BODY). */
export function answeredBody(res: HttpResponse): { contentType?: string; body: string } {
  const text = decodeBody(res.body.subarray(0, MAX_BODY * 4), res.charset);
  return { ...(res.mediaType !== undefined ? { contentType: res.mediaType } : {}), body: text.length > MAX_BODY ? text.slice(0, MAX_BODY) : text };
}

export function readInstructions(res: HttpResponse, url: string): { document: InstructionDocument; url: string } | { error: WebhookError } {
  if (res.status < 200 || res.status >= 300) {
    const retryable: RetryableFailure | undefined = res.status >= 500 && res.status <= 599 ? '5xx' : undefined;
    return { error: { code: WebhookErrorCode.HttpRetrievalFailure, message: `HTTP status ${res.status}`, url, status: res.status, retryable } };
  }
  const text = decodeBody(res.body, res.charset);
  if (!isInstructionsContentType(res.mediaType, text)) {
    return {
      error: { code: WebhookErrorCode.InvalidContentType, message: `content type ${res.mediaType ?? '(none)'} does not hold instructions`, url, status: res.status },
    };
  }
  try {
    return { document: parseInstructions(text, { baseUrl: res.url }), url: res.url };
  } catch (err) {
    if (err instanceof InstructionError) return { error: { code: err.code, message: err.message, url, status: res.status } };
    return { error: { code: WebhookErrorCode.DocumentParseFailure, message: String(err), url, status: res.status } };
  }
}
