import type { RejectVerb } from '../../verbs/reject.js';
import { end, type VerbExecutor } from '../verb-executor.js';

/**
 * <Reject>: refuse an unanswered call without answering it: busy -> 486
 * Busy Here (RFC 3261 21.4.24), rejected -> 603 Decline (RFC 3261 21.6.2).
 * On an answered call Twilio ignores the reason and ends the call; so do we.
 */
export const executeReject: VerbExecutor<RejectVerb> = async (verb, ctx) => {
  if (ctx.control.answered) {
    ctx.log.warn('<Reject> on an answered call: hanging up instead');
    await ctx.control.hangup();
    return end('hangup-verb');
  }
  await ctx.control.reject(verb.reason);
  return end('rejected');
};
