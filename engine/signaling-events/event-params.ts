import type { SignalingEventRule } from '../../config/signaling-events.js';
import { checkReferTo } from './refer-to.js';
import { canonicalHeaderName, type SignalingMessage } from './signaling-message.js';

/** The call an event belongs to. */
export interface EventCall {
  callSid: string;
  accountSid: string;
  parentCallSid?: string;
}

/**
 * The direction of an SDP's audio (RFC 3264 6.1, 8.4): the first direction
 * attribute of the first audio section, else the session-level one, else
 * sendrecv; a connection address of 0.0.0.0 is the older way to hold (RFC 2543).
 */
export function sdpDirection(sdp: string): 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' {
  const lines = sdp.split(/\r?\n/);
  const audioAt = lines.findIndex((l) => l.startsWith('m=audio'));
  const pick = (from: number, to: number): string | undefined => {
    for (const line of lines.slice(from, to)) {
      const m = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/.exec(line);
      if (m) return m[1];
    }
    return undefined;
  };
  const firstMedia = lines.findIndex((l) => l.startsWith('m='));
  const sessionEnd = firstMedia === -1 ? lines.length : firstMedia;
  let mediaEnd = lines.length;
  if (audioAt !== -1) {
    const next = lines.findIndex((l, i) => i > audioAt && l.startsWith('m='));
    if (next !== -1) mediaEnd = next;
  }
  const found = (audioAt === -1 ? undefined : pick(audioAt + 1, mediaEnd)) ?? pick(0, sessionEnd);
  if (found === 'sendonly' || found === 'recvonly' || found === 'inactive' || found === 'sendrecv') {
    if (found === 'sendrecv' && /^c=IN IP4 0\.0\.0\.0\s*$/m.test(sdp)) return 'sendonly';
    return found;
  }
  return /^c=IN IP4 0\.0\.0\.0\s*$/m.test(sdp) ? 'sendonly' : 'sendrecv';
}

/**
 * The form parameters of one signaling event: CallSid, AccountSid,
 * ParentCallSid, RuleId, Direction, SipMethod (requests) or SipResponseCode
 * and SipReasonPhrase (responses) with SipMethod the method they answer,
 * SipCallId, SipHeader_<Name> for each included header present, SipBody and
 * SipContentType when the body is within the rule's limit, SipBodyLength
 * whenever there is a body, SipSdpDirection for an SDP body.
 * Timestamp and SequenceNumber are added by the sender.
 */
export function eventParams(rule: SignalingEventRule, ruleId: string, msg: SignalingMessage, call: EventCall): Record<string, string> {
  const params: Record<string, string> = {
    CallSid: call.callSid,
    AccountSid: call.accountSid,
    RuleId: ruleId,
    Direction: msg.direction,
    SipMethod: msg.method,
    SipCallId: msg.callId,
  };
  if (call.parentCallSid !== undefined) params.ParentCallSid = call.parentCallSid;
  if (msg.status !== undefined) {
    params.SipResponseCode = String(msg.status);
    if (msg.reason !== undefined) params.SipReasonPhrase = msg.reason;
  }
  if (msg.method === 'REFER' && msg.status === undefined) {
    const referTo = checkReferTo(msg.headers['refer-to']);
    if (referTo.ok) params.ReferTransferTarget = referTo.uri;
  }
  for (const name of rule.include.headers) {
    const value = msg.headers[canonicalHeaderName(name)];
    if (value !== undefined) params[`SipHeader_${name}`] = value;
  }
  if (msg.body !== '') {
    const length = Buffer.byteLength(msg.body, 'utf8');
    params.SipBodyLength = String(length);
    const contentType = msg.headers['content-type'];
    if (length <= rule.include.bodyMaxBytes) {
      params.SipBody = msg.body;
      if (contentType !== undefined) params.SipContentType = contentType;
    }
    const isSdp = contentType === undefined ? msg.body.startsWith('v=0') : /^\s*application\/sdp\b/i.test(contentType);
    if (isSdp) params.SipSdpDirection = sdpDirection(msg.body);
  }
  return params;
}
