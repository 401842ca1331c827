import type { Logger } from 'pino';
import { MediaError } from '../../../media/errors.js';
import type { Endpoint } from '../../../media/types.js';
import type { GatherPrompt } from '../../verbs/gather.js';

/** How a prompt ended: played out, a key pressed (barge-in), or the call gone. */
export type PromptEnd = 'finished' | 'digit' | 'hangup';

export interface PromptOptions {
  /** Stop at the first DTMF digit; the digit stays buffered for the Gather. */
  bargeIn: boolean;
  signal: AbortSignal;
  log: Logger;
}

/** Waits `ms`, ending early on the signal or, with bargeIn, on a digit. */
async function pause(endpoint: Endpoint, ms: number, opts: PromptOptions): Promise<PromptEnd> {
  if (opts.signal.aborted || endpoint.destroyed) return 'hangup';
  return new Promise<PromptEnd>((resolve) => {
    const finish = (how: PromptEnd): void => {
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      endpoint.off('dtmf', onDigit);
      endpoint.off('destroy', onAbort);
      resolve(how);
    };
    const onAbort = (): void => finish('hangup');
    const onDigit = (): void => finish('digit');
    const timer = setTimeout(() => finish('finished'), ms);
    opts.signal.addEventListener('abort', onAbort, { once: true });
    endpoint.once('destroy', onAbort);
    if (opts.bargeIn) endpoint.on('dtmf', onDigit);
  });
}

/**
 * Runs one Say, Play or Pause on the endpoint. A prompt that cannot be
 * played (TTS failure, audio that cannot be fetched or decoded) is logged
 * and skipped, as Twilio moves on to the next verb.
 */
export async function runPrompt(prompt: GatherPrompt, endpoint: Endpoint, opts: PromptOptions): Promise<PromptEnd> {
  const { signal, bargeIn } = opts;
  try {
    if (prompt.verb === 'Pause') return await pause(endpoint, prompt.length * 1000, opts);
    if (prompt.verb === 'Say') {
      if (prompt.text === '') return 'finished';
      const out = await endpoint.say(prompt.text, { voice: prompt.voice, language: prompt.language, loop: prompt.loop, bargeIn, signal });
      return out.reason === 'digit' ? 'digit' : out.reason === 'finished' ? 'finished' : 'hangup';
    }
    if (prompt.digits !== undefined) {
      const sent = await endpoint.playDigits(prompt.digits, { signal });
      if (sent.reason !== 'finished') return 'hangup';
    }
    if (prompt.url === undefined) return 'finished';
    const out = await endpoint.play(prompt.url, { loop: prompt.loop, bargeIn, signal });
    return out.reason === 'digit' ? 'digit' : out.reason === 'finished' ? 'finished' : 'hangup';
  } catch (err) {
    if (signal.aborted || endpoint.destroyed) return 'hangup';
    const code = err instanceof MediaError ? err.code : 'unknown';
    if (code === 'destroyed') return 'hangup';
    const source = prompt.verb === 'Play' ? prompt.url : undefined;
    opts.log.warn({ verb: prompt.verb, url: source, code, reason: (err as Error).message }, `<${prompt.verb}> failed and was skipped`);
    return 'finished';
  }
}
