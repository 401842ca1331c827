import { clientName, isSipUri } from '../api/call-address.js';
import type { CreateCallParams } from '../api/call-service.js';
import { hostOfSipUri, type FromParty } from '../outbound/from-header.js';
import { fromUser } from './outbound-attempt.js';

/**
 * Who a REST-created call's INVITE says is calling. From gives the user
 * part; when To is a SIP URI or client:<name> and CallerId is given, CallerId
 * does instead, and a CallerId that is a SIP address gives the host too
 * (name@company.com). CallerId is not used for a phone number: From is the
 * caller id there, as on Twilio.
 */
export function callerParty(params: Pick<CreateCallParams, 'to' | 'from' | 'callerId'>): FromParty {
  const toSipOrClient = isSipUri(params.to) || clientName(params.to) !== undefined;
  const callerId = toSipOrClient ? params.callerId : undefined;
  if (callerId === undefined) return { user: fromUser(params.from) };
  const host = isSipUri(callerId) ? hostOfSipUri(callerId) : '';
  return { user: fromUser(callerId), ...(host !== '' ? { host } : {}) };
}

/**
 * Headers of the INVITE made from the request: CallReason (the purpose of
 * the call, for the called party's phone to show) as Subject, the SIP header
 * that says what a call is about (RFC 3261 section 20.36).
 */
export function invitedWith(params: Pick<CreateCallParams, 'callReason'>): { headers?: Record<string, string> } {
  return params.callReason !== undefined ? { headers: { Subject: params.callReason } } : {};
}
