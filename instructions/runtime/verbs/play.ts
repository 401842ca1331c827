import type { PlayVerb } from '../../verbs/play.js';
import { answerOrEnd } from './answer.js';
import { runPrompt } from './prompt.js';
import { end, NEXT, type VerbExecutor } from '../verb-executor.js';

/** <Play>: play the audio URL `loop` times (0: until the call moves on), or send `digits` as DTMF. */
export const executePlay: VerbExecutor<PlayVerb> = async (verb, ctx) => {
  const endpoint = await answerOrEnd(ctx);
  if ('end' in endpoint) return endpoint.end;
  const how = await runPrompt(verb, endpoint.ok, { bargeIn: false, signal: ctx.signal, log: ctx.log });
  return how === 'hangup' ? end('caller-hangup') : NEXT;
};
