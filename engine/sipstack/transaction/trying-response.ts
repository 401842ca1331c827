/**
 * The 100 (Trying) a server INVITE transaction sends on its own (RFC 3261
 * §17.2.1), built per §8.2.6: Via values in order, From, To (a tag is not
 * required on a 100), Call-ID, CSeq, and Timestamp echoed (§8.2.6.1).
 */
import { SipHeaders } from '../message/headers.js';
import { SipResponse, type SipRequest } from '../message/sip-message.js';

export function buildTrying(request: SipRequest): SipResponse {
  const h = new SipHeaders();
  for (const via of request.headers.lines('via')) h.append('Via', via);
  for (const name of ['From', 'To', 'Call-ID', 'CSeq', 'Timestamp']) {
    const v = request.headers.get(name);
    if (v !== undefined) h.append(name, v);
  }
  h.append('Content-Length', '0');
  return new SipResponse(100, 'Trying', h);
}
