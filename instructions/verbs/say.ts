import { AttributeReader } from '../attributes.js';
import type { ParseContext } from '../context.js';
import type { XmlElement } from '../xml-tree.js';

/** <Say>: speak text with a text-to-speech voice. */
export interface SayVerb {
  readonly verb: 'Say';
  readonly text: string;
  /** Voice name as written (man, woman, alice, Polly.*, Google.*, ...); the TTS layer maps it. */
  readonly voice?: string;
  /** BCP 47 language tag, e.g. en-US. */
  readonly language?: string;
  /** Times to speak; 0 means "repeat until the call moves on" (Twilio caps it at 1000). */
  readonly loop: number;
  /** True when the text came with SSML markup, which is flattened to plain text. */
  readonly ssml: boolean;
}

/** SSML elements Twilio accepts inside <Say>. */
const SSML_ELEMENTS = new Set(['break', 'emphasis', 'lang', 'p', 'phoneme', 'prosody', 's', 'say-as', 'sub', 'w', 'amazon:effect', 'amazon:domain']);

const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

export const SAY_DEFAULTS = { loop: 1 } as const;

function checkSsml(el: XmlElement, ctx: ParseContext): boolean {
  let found = false;
  for (const child of el.children) {
    if (child.kind !== 'element') continue;
    if (!SSML_ELEMENTS.has(child.name)) throw ctx.fail(child, `<${child.name}> is not allowed inside <Say>`);
    found = true;
    checkSsml(child, ctx);
  }
  return found;
}

/**
 * Plain text of SSML content: element boundaries separate words, and <sub>
 * speaks its alias (SSML 1.1 section 3.1.10).
 */
function spokenText(el: XmlElement): string {
  let text = '';
  for (const child of el.children) {
    if (child.kind === 'text') text += child.text;
    else if (child.name === 'sub' && child.attributes.alias !== undefined) text += ` ${child.attributes.alias} `;
    else text += ` ${spokenText(child)} `;
  }
  return text;
}

export function parseSay(el: XmlElement, ctx: ParseContext): SayVerb {
  const attrs = new AttributeReader(el, ctx);
  const voice = attrs.string('voice');
  const language = attrs.string('language');
  if (language !== undefined && !LANGUAGE_TAG.test(language)) {
    throw ctx.fail(el, `"${language}" is not a language tag such as en-US`, 'language');
  }
  const loop = attrs.integer('loop', { min: 0, max: 1000 }) ?? SAY_DEFAULTS.loop;
  attrs.finish();
  const ssml = checkSsml(el, ctx);
  if (ssml) ctx.warn(el, 'SSML markup is spoken as plain text');
  const text = spokenText(el).replace(/\s+/g, ' ').trim();
  if (text === '') ctx.warn(el, 'nothing to say: the text is empty');
  return { verb: 'Say', text, voice, language, loop, ssml };
}
