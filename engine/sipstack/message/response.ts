/** Building a response to a request (RFC 3261 §8.2.6). */
import { randomBytes } from 'node:crypto';
import { tagOf } from './name-addr.js';
import { reasonPhrase } from './reason-phrases.js';
import { SipHeaders } from './headers.js';
import type { SipRequest } from './sip-message.js';
import { SipResponse } from './sip-message.js';

export { reasonPhrase } from './reason-phrases.js';

export interface ResponseOptions {
  /** The To tag to add when the request's To has none; a random one otherwise. */
  toTag?: string;
  /** Further header fields, appended in order. */
  headers?: [string, string][];
  body?: Buffer;
  contentType?: string;
}

/** A random tag with at least 32 bits of randomness (§19.3). */
export function generateTag(): string {
  return randomBytes(6).toString('hex');
}

/**
 * §8.2.6.2: "The From field of the response MUST equal the From header field
 * of the request. The Call-ID header field of the response MUST equal the
 * Call-ID header field of the request. The CSeq header field of the response
 * MUST equal the CSeq field of the request. The Via header field values in
 * the response MUST equal the Via header field values in the request and MUST
 * maintain the same ordering." The To is copied and, except on a 100, given a
 * tag when it has none. §8.2.6.1: a 100 (Trying) copies the Timestamp.
 */
export function createResponse(req: SipRequest, status: number, reason?: string, opts: ResponseOptions = {}): SipResponse {
  const headers = new SipHeaders();
  for (const via of req.headers.lines('via')) headers.append('Via', via);
  const from = req.headers.get('from');
  if (from !== undefined) headers.append('From', from);
  const to = req.headers.get('to');
  if (to !== undefined) {
    const needsTag = status > 100 && tagOf(to) === undefined;
    headers.append('To', needsTag ? `${to};tag=${opts.toTag ?? generateTag()}` : to);
  }
  const callId = req.headers.get('call-id');
  if (callId !== undefined) headers.append('Call-ID', callId);
  const cseq = req.headers.get('cseq');
  if (cseq !== undefined) headers.append('CSeq', cseq);
  if (status === 100) {
    const timestamp = req.headers.get('timestamp');
    if (timestamp !== undefined) headers.append('Timestamp', timestamp);
  }
  for (const [name, value] of opts.headers ?? []) headers.append(name, value);
  const body = opts.body ?? Buffer.alloc(0);
  if (opts.contentType !== undefined) headers.set('Content-Type', opts.contentType);
  return new SipResponse(status, reason ?? reasonPhrase(status), headers, body);
}
