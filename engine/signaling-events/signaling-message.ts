/**
 * A SIP message inside a call, as signaling-event rules see it: plain data
 * copied out of the drachtio-srf message the moment it is seen, so that
 * matching and reporting never touch the live message again.
 */

export type SignalingDirection = 'received' | 'sent';

export interface SignalingMessage {
  /** received: from the far end; sent: by the engine. */
  direction: SignalingDirection;
  /** The request's method, or for a response the method in its CSeq (RFC 3261 8.1.3.1: a response belongs to the request of that CSeq). */
  method: string;
  /** Present on responses only. */
  status?: number;
  reason?: string;
  callId: string;
  /** Lower-case header name (compact forms expanded, RFC 3261 7.3.3) -> value; repeated headers joined with ", " (RFC 3261 7.3.1). */
  headers: Readonly<Record<string, string>>;
  body: string;
  /** When it was seen. */
  at: Date;
}

/** The parts of a drachtio-srf message that a description reads. */
export interface SipMessageLike {
  method?: string;
  status?: number;
  reason?: string;
  headers?: Readonly<Record<string, unknown>>;
  body?: unknown;
}

/** RFC 3261 7.3.3 compact header forms. */
const COMPACT: Readonly<Record<string, string>> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  r: 'refer-to',
  b: 'referred-by',
  u: 'allow-events',
  x: 'session-expires',
};

export function canonicalHeaderName(name: string): string {
  const lower = name.trim().toLowerCase();
  return COMPACT[lower] ?? lower;
}

function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    const parts = value.filter((v): v is string => typeof v === 'string');
    return parts.length > 0 ? parts.join(', ') : undefined;
  }
  return undefined;
}

function copyHeaders(raw: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!raw) return headers;
  for (const [name, value] of Object.entries(raw)) {
    const text = headerText(value);
    if (text === undefined) continue;
    const key = canonicalHeaderName(name);
    headers[key] = key in headers ? `${headers[key]}, ${text}` : text;
  }
  return headers;
}

function cseqMethod(headers: Readonly<Record<string, string>>): string {
  const cseq = headers.cseq ?? '';
  const m = /^\s*\d+\s+([A-Za-z]+)/.exec(cseq);
  return m ? m[1]!.toUpperCase() : '';
}

/** Describes a request (an in-dialog request received, or one the engine sent). */
export function describeRequest(msg: SipMessageLike, direction: SignalingDirection, at: Date = new Date()): SignalingMessage {
  const headers = copyHeaders(msg.headers);
  return {
    direction,
    method: (msg.method ?? cseqMethod(headers)).toUpperCase(),
    callId: headers['call-id'] ?? '',
    headers,
    body: typeof msg.body === 'string' ? msg.body : '',
    at,
  };
}

/** Describes a response (received to an INVITE the engine sent, or one it sent). */
export function describeResponse(msg: SipMessageLike, direction: SignalingDirection, at: Date = new Date()): SignalingMessage {
  const headers = copyHeaders(msg.headers);
  return {
    direction,
    method: cseqMethod(headers),
    status: msg.status,
    reason: msg.reason,
    callId: headers['call-id'] ?? '',
    headers,
    body: typeof msg.body === 'string' ? msg.body : '',
    at,
  };
}
