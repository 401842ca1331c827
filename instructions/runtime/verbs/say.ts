import type { SayVerb } from '../../verbs/say.js';
import { answerOrEnd } from './answer.js';
import { runPrompt } from './prompt.js';
import { end, NEXT, type VerbExecutor } from '../verb-executor.js';

/** <Say>: speak the text `loop` times (0: until the call moves on) with the voice and language asked for. */
export const executeSay: VerbExecutor<SayVerb> = async (verb, ctx) => {
  const endpoint = await answerOrEnd(ctx);
  if ('end' in endpoint) return endpoint.end;
  const how = await runPrompt(verb, endpoint.ok, { bargeIn: false, signal: ctx.signal, log: ctx.log });
  return how === 'hangup' ? end('caller-hangup') : NEXT;
};
