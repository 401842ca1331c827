import type { PauseVerb } from '../../verbs/pause.js';
import { answerOrEnd } from './answer.js';
import { runPrompt } from './prompt.js';
import { end, NEXT, type VerbExecutor } from '../verb-executor.js';

/**
 * <Pause>: wait `length` seconds. It answers the call like any media verb
 * (Twilio answers on a leading Pause too).
 */
export const executePause: VerbExecutor<PauseVerb> = async (verb, ctx) => {
  const endpoint = await answerOrEnd(ctx);
  if ('end' in endpoint) return endpoint.end;
  const how = await runPrompt(verb, endpoint.ok, { bargeIn: false, signal: ctx.signal, log: ctx.log });
  return how === 'hangup' ? end('caller-hangup') : NEXT;
};
