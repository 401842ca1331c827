/**
 * The official twilio library pointed at a dialtone REST API: a RequestClient
 * (the library's documented `httpClient` hook) that sends every request meant
 * for https://api.twilio.com (or a regional/edge *.twilio.com host) to a base
 * URL of ours instead, keeping path and query.
 */
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type ResponseModule from 'twilio/lib/http/response.js';

export class RewritingRequestClient extends twilio.RequestClient {
  /** The requests made, after rewriting, in order (`params` is the query the library adds to the URI). */
  readonly requested: { method: string; uri: string; params?: object }[] = [];
  private readonly base: string;

  constructor(baseUrl: string) {
    super();
    this.base = baseUrl.replace(/\/+$/, '');
  }

  rewrite(uri: string): string {
    return uri.replace(/^https:\/\/[A-Za-z0-9.-]*\.?twilio\.com(?::\d+)?(?=\/|$)/, this.base);
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<ResponseModule.default<TData>> {
    const uri = this.rewrite(opts.uri);
    this.requested.push({ method: String(opts.method).toUpperCase(), uri, ...(opts.params !== undefined ? { params: opts.params } : {}) });
    return super.request<TData>({ ...opts, uri });
  }
}

/** A twilio client whose REST requests go to `baseUrl` (e.g. "http://127.0.0.1:8088"). */
export function twilioClientFor(baseUrl: string, accountSid: string, authToken: string): { client: twilio.Twilio; http: RewritingRequestClient } {
  const http = new RewritingRequestClient(baseUrl);
  return { client: twilio(accountSid, authToken, { httpClient: http }), http };
}
