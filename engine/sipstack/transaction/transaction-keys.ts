/**
 * How requests and responses find their transaction (RFC 3261 §17.1.3,
 * §17.2.3, §9.2). Keys are strings so that a Map lookup does the matching.
 */
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import { cseqOf, rfc3261Branch, sentByKey, tagOf, topVia, type ViaFields } from './message-fields.js';

const SEP = '\n';

/** Where a request belongs on the server side. */
export type ServerMatchKey =
  | {
      style: 'rfc3261';
      /** Key of the transaction this request creates or belongs to. */
      key: string;
      /** For CANCEL: the key of the INVITE transaction it cancels. */
      inviteKey: string;
      via: ViaFields;
    }
  | {
      style: 'rfc2543';
      key: string;
      inviteKey: string;
      /** To tag of the request: compared separately (an ACK carries the tag of our response). */
      toTag: string | undefined;
      via: ViaFields;
    };

export type ServerKeyResult = { ok: true; match: ServerMatchKey } | { ok: false; reason: string };

/**
 * §17.2.3: with a branch that begins with the magic cookie, "the request
 * matches a transaction if: 1. the branch parameter in the request is equal
 * to the one in the top Via header field of the request that created the
 * transaction, and 2. the sent-by value in the top Via of the request is
 * equal to the one in the request that created the transaction, and 3. the
 * method of the request matches the one that created the transaction, except
 * for ACK, where the method of the request that created the transaction is
 * INVITE."
 *
 * Without the cookie (RFC 2543 elements, and a branch that is the bare cookie
 * as in RFC 4475 §3.1.2.16 "badbranch"), the older rule applies: "the
 * Request-URI, To tag, From tag, Call-ID, CSeq, and top Via header field
 * match those of the INVITE request which created the transaction"; for ACK
 * the CSeq number (not method) is compared and the To tag is the one of the
 * response the server sent. §9.2 matches a CANCEL to its INVITE by the same
 * fields.
 */
export function serverMatchKey(request: SipRequest): ServerKeyResult {
  const via = topVia(request.headers);
  if (!via) return { ok: false, reason: 'missing or malformed Via' };
  const cseq = cseqOf(request.headers);
  if (!cseq) return { ok: false, reason: 'missing or malformed CSeq' };
  const callId = request.headers.get('call-id')?.trim();
  if (!callId) return { ok: false, reason: 'missing Call-ID' };

  const method = request.method === 'ACK' ? 'INVITE' : request.method;
  const branch = rfc3261Branch(via);
  if (branch !== undefined) {
    const base = branch + SEP + sentByKey(via) + SEP;
    return { ok: true, match: { style: 'rfc3261', key: base + method, inviteKey: base + 'INVITE', via } };
  }
  const fromTag = tagOf(request.headers.get('from')) ?? '';
  const common = [request.uri.trim(), fromTag, callId, String(cseq.seq), normalizeVia(via.raw)].join(SEP);
  return {
    ok: true,
    match: {
      style: 'rfc2543',
      key: method + SEP + common,
      inviteKey: 'INVITE' + SEP + common,
      toTag: tagOf(request.headers.get('to')),
      via,
    },
  };
}

/** Whitespace around separators and letter case do not make two Via values differ. */
function normalizeVia(raw: string): string {
  return raw.replace(/\s+/g, '').toLowerCase();
}

/** The key of a client transaction: its branch and method (§17.1.3). */
export function clientKey(branch: string, method: string): string {
  return branch + SEP + method;
}

export type ClientKeyResult = { ok: true; key: string } | { ok: false; reason: string };

/**
 * §17.1.3: "a response matches a client transaction under two conditions:
 * 1. If the response has the same value of the branch parameter in the top
 * Via header field as the branch parameter in the top Via header field of the
 * request that created the transaction. 2. If the method parameter in the
 * CSeq header field matches the method of the request that created the
 * transaction."
 */
export function responseMatchKey(response: SipResponse): ClientKeyResult {
  const via = topVia(response.headers);
  const branch = via?.params.get('branch');
  if (!branch) return { ok: false, reason: 'no branch in the top Via' };
  const cseq = cseqOf(response.headers);
  if (!cseq) return { ok: false, reason: 'missing or malformed CSeq' };
  return { ok: true, key: clientKey(branch, cseq.method) };
}
