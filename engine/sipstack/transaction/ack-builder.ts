/**
 * Requests a client transaction builds itself from the request it sent:
 * the ACK for a non-2xx final response (RFC 3261 §17.1.1.3) and the CANCEL
 * of a pending INVITE (§9.1). Both copy the same identifying fields.
 */
import { SipHeaders } from '../message/headers.js';
import { SipRequest, type SipResponse } from '../message/sip-message.js';
import { cseqOf } from './message-fields.js';

/**
 * The fields shared by ACK and CANCEL: Request-URI, Call-ID and From of the
 * original request, its top Via only, its Route headers, its CSeq number
 * with the new method, and Max-Forwards 70 (§8.1.1.6). `to` is the To value.
 */
function buildFromOriginal(original: SipRequest, method: 'ACK' | 'CANCEL', to: string): SipRequest {
  const cseq = cseqOf(original.headers);
  const topVia = original.headers.values('via')[0];
  const from = original.headers.get('from');
  const callId = original.headers.get('call-id');
  if (!cseq || topVia === undefined || from === undefined || callId === undefined) {
    throw new Error(`cannot build ${method}: the original request lacks Via, From, Call-ID or a valid CSeq`);
  }
  const h = new SipHeaders();
  h.append('Via', topVia);
  h.append('Max-Forwards', '70');
  for (const route of original.headers.values('route')) h.append('Route', route);
  h.append('From', from);
  h.append('To', to);
  h.append('Call-ID', callId);
  h.append('CSeq', `${cseq.seq} ${method}`);
  return new SipRequest(method, original.uri, h);
}

/**
 * §17.1.1.3: "The ACK request constructed by the client transaction MUST
 * contain values for the Call-ID, From, and Request-URI that are equal to the
 * values of those header fields in the request passed to the transport by the
 * client transaction ... The To header field in the ACK MUST equal the To
 * header field in the response being acknowledged ... The ACK MUST contain a
 * single Via header field, and this MUST be equal to the top Via header field
 * of the original request. The CSeq header field in the ACK MUST contain the
 * same value for the sequence number as was present in the original request,
 * but the method parameter MUST be equal to 'ACK'." Route headers of the
 * INVITE "MUST appear in the ACK". No body.
 */
export function buildNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const to = response.headers.get('to') ?? invite.headers.get('to');
  if (to === undefined) throw new Error('cannot build ACK: neither the response nor the INVITE has a To header');
  return buildFromOriginal(invite, 'ACK', to);
}

/**
 * §9.1: "The Request-URI, Call-ID, To, the numeric part of CSeq, and From
 * header fields in the CANCEL request MUST be identical to those in the
 * request being cancelled, including tags. A CANCEL constructed by a client
 * MUST have only a single Via header field value matching the top Via value
 * in the request being cancelled." Route headers are copied too.
 * `extraHeaders` (e.g. Reason, RFC 3326) are appended.
 */
export function buildCancel(invite: SipRequest, extraHeaders: ReadonlyArray<readonly [string, string]> = []): SipRequest {
  const to = invite.headers.get('to');
  if (to === undefined) throw new Error('cannot build CANCEL: the INVITE has no To header');
  const cancel = buildFromOriginal(invite, 'CANCEL', to);
  for (const [name, value] of extraHeaders) cancel.headers.append(name, value);
  return cancel;
}
