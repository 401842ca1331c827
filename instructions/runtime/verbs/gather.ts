import type { GatherVerb } from '../../verbs/gather.js';
import { answerOrEnd } from './answer.js';
import { runPrompt } from './prompt.js';
import { end, NEXT, type VerbExecutor } from '../verb-executor.js';

/**
 * <Gather> for DTMF. Nested Say/Play/Pause run in order and stop at the
 * first key (barge-in); keys pressed during them count. Then keys are
 * collected until numDigits, finishOnKey (not part of Digits) or `timeout`
 * seconds without a key. Digits go to the action, or, without one, to the
 * URL of the document that holds the Gather (as Twilio does); the answer
 * replaces this document. With nothing entered, the document continues with
 * the next verb unless actionOnEmptyResult is set.
 */
export const executeGather: VerbExecutor<GatherVerb> = async (verb, ctx) => {
  const got = await answerOrEnd(ctx);
  if ('end' in got) return got.end;
  const endpoint = got.ok;
  // Keys pressed before the Gather began are not its input.
  endpoint.clearDigits();

  let bargedIn = false;
  for (const prompt of verb.prompts) {
    const how = await runPrompt(prompt, endpoint, { bargeIn: true, signal: ctx.signal, log: ctx.log });
    if (how === 'hangup') return end('caller-hangup');
    if (how === 'digit') {
      bargedIn = true;
      break;
    }
  }

  const timeoutMs = verb.timeout * 1000;
  const outcome = await endpoint.collectDigits({
    maxDigits: verb.numDigits,
    finishOnKey: verb.finishOnKey === '' ? undefined : verb.finishOnKey,
    timeoutMs,
    interDigitTimeoutMs: timeoutMs,
    signal: ctx.signal,
  });
  if (outcome.reason === 'hangup' || outcome.reason === 'stopped' || ctx.signal.aborted) return end('caller-hangup');
  const digits = outcome.digits;
  ctx.log.debug({ digits, reason: outcome.reason, bargedIn }, '<Gather> ended');

  // A lone finish key counts as input with empty Digits only with actionOnEmptyResult (as Twilio).
  if (digits === '' && !verb.actionOnEmptyResult) return NEXT;
  const url = verb.action ?? ctx.control.currentDocumentUrl;
  // A document given inline (REST Twiml) has no URL to post to: it goes on.
  if (url === undefined) return NEXT;
  return { kind: 'fetch', request: { url, method: verb.method, params: { Digits: digits } } };
};
