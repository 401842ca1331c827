/**
 * What a user sees of an outbound call that was not answered: the SIP final
 * status mapped onto the call statuses of the TwiML world (busy, no-answer,
 * failed, canceled), with the SIP status kept beside it.
 */

export type UnansweredKind = 'busy' | 'no-answer' | 'failed' | 'canceled';

export interface Unanswered {
  kind: UnansweredKind;
  sipStatus?: number;
  reason: string;
  callId?: string;
}

/**
 * 486 Busy Here, 600 Busy Everywhere and 603 Decline: the called party is
 * busy or refuses (RFC 3261 §21.4.24, §21.6.1, §21.6.2).
 */
const BUSY = new Set([486, 600, 603]);

/**
 * 408 Request Timeout and 480 Temporarily Unavailable: nobody answered
 * (RFC 3261 §21.4.9, §21.4.18).
 */
const NO_ANSWER = new Set([408, 480]);

/** The kind of a non-2xx final response to our INVITE. */
export function kindOfFinalStatus(status: number): 'busy' | 'no-answer' | 'failed' {
  if (BUSY.has(status)) return 'busy';
  if (NO_ANSWER.has(status)) return 'no-answer';
  return 'failed';
}

/** The outcome of a final non-2xx response (status and reason phrase as received). */
export function outcomeOfRejection(status: number, reasonPhrase: string | undefined, callId: string | undefined): Unanswered {
  const kind = kindOfFinalStatus(status);
  const phrase = reasonPhrase && reasonPhrase.trim() !== '' ? ` ${reasonPhrase.trim()}` : '';
  return withCallId({ kind, sipStatus: status, reason: `${status}${phrase}` }, callId);
}

/** We gave up waiting (timeoutSeconds): CANCEL was sent; the call counts as not answered. */
export function outcomeOfTimeout(timeoutSeconds: number, sipStatus: number | undefined, callId: string | undefined): Unanswered {
  const out: Unanswered = { kind: 'no-answer', reason: `no answer within ${timeoutSeconds} s` };
  if (sipStatus !== undefined) out.sipStatus = sipStatus;
  return withCallId(out, callId);
}

/** Our side called the attempt off (AbortSignal). */
export function outcomeOfAbort(reason: string, sipStatus: number | undefined, callId: string | undefined): Unanswered {
  const out: Unanswered = { kind: 'canceled', reason };
  if (sipStatus !== undefined) out.sipStatus = sipStatus;
  return withCallId(out, callId);
}

/** The INVITE could not be sent or the signaling broke down: no SIP status from the far end. */
export function outcomeOfError(reason: string, callId: string | undefined): Unanswered {
  return withCallId({ kind: 'failed', reason }, callId);
}

function withCallId(outcome: Unanswered, callId: string | undefined): Unanswered {
  if (callId !== undefined) outcome.callId = callId;
  return outcome;
}
