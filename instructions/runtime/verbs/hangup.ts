import type { HangupVerb } from '../../verbs/hangup.js';
import { end, type VerbExecutor } from '../verb-executor.js';

/** <Hangup>: end the call. A call not answered yet is answered first (Twilio: only <Reject> avoids answering). */
export const executeHangup: VerbExecutor<HangupVerb> = async (_verb, ctx) => {
  await ctx.control.hangup();
  return end('hangup-verb');
};
