import { AttributeReader, HTTP_SCHEMES } from '../attributes.js';
import type { ParseContext } from '../context.js';
import type { XmlElement } from '../xml-tree.js';

/** <Play>: play an audio file, or send DTMF tones when `digits` is given. */
export interface PlayVerb {
  readonly verb: 'Play';
  /** Absolute audio URL (resolved against the document URL); absent when only digits are played. */
  readonly url?: string;
  /** DTMF to send: 0-9, *, #, and w for a half-second wait. */
  readonly digits?: string;
  /** Times to play; 0 means "repeat until the call moves on" (Twilio caps it at 1000). */
  readonly loop: number;
}

export const PLAY_DEFAULTS = { loop: 1 } as const;

export function parsePlay(el: XmlElement, ctx: ParseContext): PlayVerb {
  const attrs = new AttributeReader(el, ctx);
  const loop = attrs.integer('loop', { min: 0, max: 1000 }) ?? PLAY_DEFAULTS.loop;
  const digits = attrs.string('digits');
  if (digits !== undefined && !/^[0-9*#wW]+$/.test(digits)) {
    throw ctx.fail(el, `"${digits}" may hold only 0-9, *, # and w`, 'digits');
  }
  attrs.finish();
  const text = ctx.text(el);
  if (text === '' && digits === undefined) throw ctx.fail(el, 'an audio URL is required as the element\'s text');
  const url = text === '' ? undefined : ctx.resolveUrl(el, text, HTTP_SCHEMES);
  return { verb: 'Play', url, digits, loop };
}
