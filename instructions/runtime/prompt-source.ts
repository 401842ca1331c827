import type { Logger } from 'pino';
import type { PlayOptions, PlayOutcome, SayOptions } from '../../media/types.js';
import type { HttpMethod } from '../attributes.js';
import type { NextDocumentOutcome, NextDocumentRequest } from './call-control.js';

/** Something prompts can be played to: a call's endpoint, or a whole conference room. */
export interface PromptTarget {
  play(sources: string | string[], opts?: PlayOptions): Promise<PlayOutcome>;
  say(text: string, opts?: SayOptions): Promise<PlayOutcome>;
}

/** Fetches a document for a prompt source (with the parameters of whoever it is for). */
export type PromptDocumentFetcher = (req: NextDocumentRequest) => Promise<NextDocumentOutcome>;

export interface PromptSource {
  url: string;
  method: HttpMethod;
}

/** URLs taken for audio without asking the server (others are asked, and played as audio when the answer is not a document). */
const AUDIO_URL = /\.(wav|wave|mp3|ul|ulaw|au|aif|aiff|gsm|raw)(\?.*)?$/i;
/** Error 12300: the answer was not instructions (e.g. audio/mpeg). */
const NOT_A_DOCUMENT = /^12300\b/;
/** Redirects followed in one round before the source is taken for a loop. */
const MAX_REDIRECTS = 10;
/** A looping document that played nothing waits this long before it is fetched again. */
const IDLE_ROUND_MS = 1000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** How a source ended; 'leave' and 'hangup' only for a queue's wait document (opts.queue), at its <Leave> or <Hangup>. */
export type PromptSourceEnd = 'finished' | 'stopped' | 'failed' | 'leave' | 'hangup';

export interface PromptSourceOptions {
  loop: boolean;
  signal: AbortSignal;
  log: Logger;
  /** A queue's wait document: <Leave> and <Hangup> end it (with 'leave', 'hangup'). */
  queue?: boolean;
}

/**
 * Plays a wait, hold or announcement source as Twilio does: an audio URL
 * is played; a document may hold Play, Say, Pause and Redirect (any other
 * verb is skipped with a warning). With `loop` the source starts again
 * after its last verb, until the signal; without, it plays once.
 */
export async function playPromptSource(
  target: PromptTarget,
  fetch: PromptDocumentFetcher,
  first: PromptSource,
  opts: PromptSourceOptions,
): Promise<PromptSourceEnd> {
  try {
    return await playSource(target, fetch, first, opts);
  } catch (err) {
    if (opts.signal.aborted) return 'stopped';
    opts.log.warn({ url: first.url, reason: (err as Error).message }, 'the wait or announcement audio could not be played');
    return 'failed';
  }
}

async function playSource(
  target: PromptTarget,
  fetch: PromptDocumentFetcher,
  first: PromptSource,
  opts: PromptSourceOptions,
): Promise<PromptSourceEnd> {
  const { signal, log } = opts;
  const playAudio = async (url: string): Promise<PromptSourceEnd> => {
    const out = await target.play(url, { loop: opts.loop ? 0 : 1, signal });
    return out.reason === 'finished' ? 'finished' : 'stopped';
  };
  while (!signal.aborted) {
    let request: PromptSource | undefined = first;
    let played = false;
    for (let hops = 0; request && hops <= MAX_REDIRECTS && !signal.aborted; hops++) {
      const { url, method } = request;
      request = undefined;
      if (AUDIO_URL.test(new URL(url).pathname)) return playAudio(url);
      const fetched = await fetch({ url, method });
      if (signal.aborted) return 'stopped';
      if ('error' in fetched) {
        if (NOT_A_DOCUMENT.test(fetched.error)) return playAudio(url);
        log.warn({ url, reason: fetched.error }, 'the wait or announcement document could not be fetched');
        return 'failed';
      }
      for (const verb of fetched.document.verbs) {
        if (signal.aborted) return 'stopped';
        if (verb.verb === 'Play' && verb.url !== undefined) {
          played = true;
          await target.play(verb.url, { loop: verb.loop, signal });
        } else if (verb.verb === 'Say') {
          played = true;
          await target.say(verb.text, { voice: verb.voice, language: verb.language, loop: verb.loop, signal });
        } else if (verb.verb === 'Pause') {
          played = true;
          await sleep(verb.length * 1000, signal);
        } else if (verb.verb === 'Redirect') {
          request = { url: verb.url, method: verb.method };
          break;
        } else if (opts.queue && (verb.verb === 'Leave' || verb.verb === 'Hangup')) {
          return verb.verb === 'Leave' ? 'leave' : 'hangup';
        } else {
          log.warn({ url: fetched.url, verb: verb.verb }, `<${verb.verb}> is not played in a wait or announcement document and was skipped`);
        }
      }
    }
    if (!opts.loop) return signal.aborted ? 'stopped' : 'finished';
    if (!played) await sleep(IDLE_ROUND_MS, signal);
  }
  return 'stopped';
}
