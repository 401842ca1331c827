/**
 * The 100 (Trying) a server INVITE transaction sends on its own (RFC 3261
 * §17.2.1), built per §8.2.6: Via values in order, From, To (no tag is added
 * to a 100), Call-ID, CSeq, and the Timestamp echoed (§8.2.6.1).
 */
import { createResponse } from '../message/response.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';

export function buildTrying(request: SipRequest): SipResponse {
  return createResponse(request, 100, 'Trying');
}
