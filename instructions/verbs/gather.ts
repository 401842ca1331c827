import { AttributeReader, DTMF_KEYS, type HttpMethod } from '../attributes.js';
import type { ParseContext } from '../context.js';
import { childElements, ownText, type XmlElement } from '../xml-tree.js';
import { parsePause, type PauseVerb } from './pause.js';
import { parsePlay, type PlayVerb } from './play.js';
import { parseSay, type SayVerb } from './say.js';

export const GATHER_INPUTS = ['dtmf', 'speech'] as const;
export type GatherInput = (typeof GATHER_INPUTS)[number];

/** Verbs a <Gather> may nest; they stop at the first key pressed. */
export type GatherPrompt = SayVerb | PlayVerb | PauseVerb;

/** <Gather>: collect DTMF digits while (optionally) playing prompts. */
export interface GatherVerb {
  readonly verb: 'Gather';
  /** Where the digits go; without it the document continues with the next verb. */
  readonly action?: string;
  readonly method: HttpMethod;
  /** Seconds to wait for the first key and between keys. */
  readonly timeout: number;
  /** Key that ends input early ('' for none); it is not part of Digits. */
  readonly finishOnKey: string;
  /** Stop after this many digits. */
  readonly numDigits?: number;
  readonly input: readonly GatherInput[];
  /** Speech input was asked for; only DTMF is collected for now. */
  readonly speechRequested: boolean;
  /** Request the action URL even when nothing was entered. */
  readonly actionOnEmptyResult: boolean;
  readonly prompts: readonly GatherPrompt[];
}

export const GATHER_DEFAULTS = {
  method: 'POST',
  timeout: 5,
  finishOnKey: '#',
  input: ['dtmf'],
  actionOnEmptyResult: false,
} as const;

const PROMPT_PARSERS: Record<string, (el: XmlElement, ctx: ParseContext) => GatherPrompt> = {
  Say: parseSay,
  Play: parsePlay,
  Pause: parsePause,
};

export function parseGather(el: XmlElement, ctx: ParseContext): GatherVerb {
  const attrs = new AttributeReader(el, ctx);
  const action = attrs.url('action');
  const method = attrs.method('method') ?? GATHER_DEFAULTS.method;
  const timeout = attrs.integer('timeout', { min: 1, max: 600 }) ?? GATHER_DEFAULTS.timeout;
  const finishOnKey = attrs.keys('finishOnKey', { allowed: DTMF_KEYS, maxLength: 1 }) ?? GATHER_DEFAULTS.finishOnKey;
  const numDigits = attrs.integer('numDigits', { min: 1, max: 100 });
  const input = attrs.enumerationList('input', GATHER_INPUTS) ?? [...GATHER_DEFAULTS.input];
  if (input.length === 0) throw ctx.fail(el, 'at least one of dtmf, speech is required', 'input');
  const speechRequested = input.includes('speech');
  if (speechRequested) ctx.warn(el, 'speech input is not supported yet: only DTMF is collected', 'input');
  const actionOnEmptyResult = attrs.boolean('actionOnEmptyResult') ?? GATHER_DEFAULTS.actionOnEmptyResult;
  attrs.finish();

  if (ownText(el).trim() !== '') throw ctx.fail(el, 'text is not allowed here; nest <Say>, <Play> or <Pause>');
  const prompts = childElements(el).map((child) => {
    const parse = PROMPT_PARSERS[child.name];
    if (!parse) throw ctx.fail(child, `<${child.name}> is not allowed inside <Gather> (only Say, Play, Pause)`);
    return parse(child, ctx);
  });
  return { verb: 'Gather', action, method, timeout, finishOnKey, numDigits, input, speechRequested, actionOnEmptyResult, prompts };
}
