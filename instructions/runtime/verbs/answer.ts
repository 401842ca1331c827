import type { Endpoint } from '../../../media/types.js';
import { end, type VerbContext, type VerbResult } from '../verb-executor.js';

/**
 * Answers the call if it is not answered yet (the first media verb does).
 * When it cannot be answered (the caller left, no codec in common) the call
 * ends; the reason was logged and signalled by the call.
 */
export async function answerOrEnd(ctx: VerbContext): Promise<{ ok: Endpoint } | { end: VerbResult }> {
  if (ctx.signal.aborted) return { end: end('caller-hangup') };
  try {
    return { ok: await ctx.control.answer() };
  } catch (err) {
    if (ctx.signal.aborted) return { end: end('caller-hangup') };
    ctx.log.warn({ reason: (err as Error).message }, 'the call could not be answered');
    return { end: end('answer-failed') };
  }
}
