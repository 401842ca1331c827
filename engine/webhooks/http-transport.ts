import { Agent, request, type Dispatcher } from 'undici';
import type { HttpMethod } from '../../instructions/index.js';
import { classifyNetworkError, isConnectTimeout, WebhookErrorCode, type WebhookError } from './error-codes.js';
import { twilioSignature } from './signature.js';
import { defaultUserAgent } from './user-agent.js';

/** Timeouts of one webhook request. */
export interface WebhookTimeouts {
  /** Time allowed to open the TCP (and TLS) connection, per attempt. */
  connectTimeoutMs: number;
  /** Connection attempts when connecting times out. */
  connectAttempts: number;
  /** Time allowed for the whole exchange: connecting, sending, and the complete response. */
  responseTimeoutMs: number;
}

/** Twilio's defaults: connect within 5 s (tried twice), the whole response within 15 s. */
export const DEFAULT_WEBHOOK_TIMEOUTS: WebhookTimeouts = { connectTimeoutMs: 5000, connectAttempts: 2, responseTimeoutMs: 15_000 };

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;

export interface SignedRequest {
  url: string;
  method: HttpMethod;
  params: Readonly<Record<string, string>>;
  /** Key of the X-Twilio-Signature HMAC. */
  authToken: string;
}

export interface HttpResponse {
  status: number;
  /** Lower-cased media type without parameters, e.g. `text/xml`; undefined when the header is absent. */
  mediaType?: string;
  charset?: string;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: string;
}

export type HttpOutcome = { response: HttpResponse } | { error: WebhookError };

export interface WebhookTransportOptions {
  userAgent?: string;
  maxBodyBytes?: number;
  maxRedirects?: number;
  keepAliveTimeoutMs?: number;
  timeouts?: Partial<WebhookTimeouts>;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function withQuery(url: string, params: Readonly<Record<string, string>>): string {
  const query = new URLSearchParams(params).toString();
  if (query === '') return url;
  const hashAt = url.indexOf('#');
  const base = hashAt === -1 ? url : url.slice(0, hashAt);
  return base + (base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?') + query;
}

function parseContentType(header: string | string[] | undefined): { mediaType?: string; charset?: string } {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return {};
  const [type, ...rest] = value.split(';');
  const charset = rest.map((p) => p.trim()).find((p) => p.toLowerCase().startsWith('charset='));
  return { mediaType: type?.trim().toLowerCase(), charset: charset?.slice('charset='.length).replace(/"/g, '').trim() };
}

function headerValue(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}

/**
 * Signed HTTP requests to application servers over undici keep-alive pools
 * (one Agent per connect timeout; each Agent keeps a pool per origin), with
 * a per-attempt connect timeout, a whole-exchange timeout, manual redirects
 * and a body size limit. Failures come back as Twilio error codes, never as
 * exceptions.
 */
export class WebhookTransport {
  private readonly agents = new Map<number, Agent>();
  private readonly userAgent: string;
  private readonly maxBodyBytes: number;
  private readonly maxRedirects: number;
  private readonly keepAliveTimeoutMs: number;
  readonly timeouts: WebhookTimeouts;

  constructor(opts: WebhookTransportOptions = {}) {
    this.userAgent = opts.userAgent ?? defaultUserAgent();
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    this.keepAliveTimeoutMs = opts.keepAliveTimeoutMs ?? 30_000;
    this.timeouts = { ...DEFAULT_WEBHOOK_TIMEOUTS, ...opts.timeouts };
  }

  private agentFor(connectTimeoutMs: number): Agent {
    let agent = this.agents.get(connectTimeoutMs);
    if (!agent) {
      agent = new Agent({ connect: { timeout: connectTimeoutMs }, keepAliveTimeout: this.keepAliveTimeoutMs, connections: 64 });
      this.agents.set(connectTimeoutMs, agent);
    }
    return agent;
  }

  /** Sends the request, following redirects; `readBody: false` discards the body. */
  async send(req: SignedRequest, opts: { timeouts?: Partial<WebhookTimeouts>; signal?: AbortSignal; readBody?: boolean } = {}): Promise<HttpOutcome> {
    const timeouts = { ...this.timeouts, ...opts.timeouts };
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeouts.responseTimeoutMs);
    const signal = opts.signal ? AbortSignal.any([deadline.signal, opts.signal]) : deadline.signal;
    const timedOut = (url: string): WebhookError => ({
      code: WebhookErrorCode.HttpConnectionFailure,
      message: `no complete response within ${timeouts.responseTimeoutMs} ms`,
      url,
      retryable: 'timeout',
    });
    try {
      let current: SignedRequest = req;
      for (let hop = 0; ; hop++) {
        const outcome = await this.sendOnce(current, timeouts, signal, opts.readBody ?? true);
        if ('error' in outcome) {
          if (deadline.signal.aborted) return { error: timedOut(current.url) };
          return outcome;
        }
        const { response, location } = outcome;
        if (location === undefined) return { response };
        if (hop >= this.maxRedirects) {
          return { error: { code: WebhookErrorCode.HttpTooManyRedirects, message: `more than ${this.maxRedirects} redirects`, url: req.url } };
        }
        let next: string;
        try {
          next = new URL(location, current.url).href;
        } catch {
          return { error: { code: WebhookErrorCode.HttpRetrievalFailure, message: `bad redirect Location "${location}"`, url: current.url, status: response.status } };
        }
        // RFC 9110 15.4: 307/308 repeat the request as it was; 301/302/303 continue with GET.
        const keep = response.status === 307 || response.status === 308;
        current = keep ? { ...current, url: next } : { ...current, url: next, method: 'GET', params: {} };
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private async sendOnce(
    req: SignedRequest,
    timeouts: WebhookTimeouts,
    signal: AbortSignal,
    readBody: boolean,
  ): Promise<{ response: HttpResponse; location?: string } | { error: WebhookError }> {
    const isGet = req.method === 'GET';
    const url = isGet ? withQuery(req.url, req.params) : req.url;
    const body = isGet ? undefined : new URLSearchParams(req.params).toString();
    const headers: Record<string, string> = {
      'user-agent': this.userAgent,
      accept: 'text/xml, application/xml, text/html;q=0.5, */*;q=0.1',
      'x-twilio-signature': twilioSignature(req.authToken, url, isGet ? {} : req.params),
    };
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';

    let res: Dispatcher.ResponseData | undefined;
    for (let attempt = 1; res === undefined; attempt++) {
      try {
        res = await request(url, { method: req.method, headers, body, signal, dispatcher: this.agentFor(timeouts.connectTimeoutMs) });
      } catch (err) {
        if (isConnectTimeout(err) && attempt < timeouts.connectAttempts && !signal.aborted) continue;
        return { error: classifyNetworkError(err, req.url) };
      }
    }
    const { mediaType, charset } = parseContentType(res.headers['content-type']);
    const location = REDIRECT_STATUSES.has(res.statusCode) ? headerValue(res.headers.location) : undefined;
    if (!readBody || location !== undefined) {
      await res.body.dump().catch(() => undefined);
      return { response: { status: res.statusCode, mediaType, charset, body: Buffer.alloc(0), url: req.url }, location };
    }
    const declared = Number(headerValue(res.headers['content-length']));
    if (Number.isFinite(declared) && declared > this.maxBodyBytes) {
      res.body.destroy();
      return { error: this.tooLarge(req.url, res.statusCode) };
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        size += buf.length;
        if (size > this.maxBodyBytes) {
          res.body.destroy();
          return { error: this.tooLarge(req.url, res.statusCode) };
        }
        chunks.push(buf);
      }
    } catch (err) {
      return { error: classifyNetworkError(err, req.url) };
    }
    return { response: { status: res.statusCode, mediaType, charset, body: Buffer.concat(chunks), url: req.url } };
  }

  private tooLarge(url: string, status: number): WebhookError {
    return { code: WebhookErrorCode.ResponseBodyTooLarge, message: `response body larger than ${this.maxBodyBytes} bytes`, url, status };
  }

  /** Closes every pooled connection. */
  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((a) => a.close()));
  }
}
