import { AttributeReader } from '../attributes.js';
import type { ParseContext } from '../context.js';
import type { XmlElement } from '../xml-tree.js';

/** <Pause>: silence for `length` seconds. */
export interface PauseVerb {
  readonly verb: 'Pause';
  readonly length: number;
}

export const PAUSE_DEFAULTS = { length: 1 } as const;

export function parsePause(el: XmlElement, ctx: ParseContext): PauseVerb {
  const attrs = new AttributeReader(el, ctx);
  const length = attrs.integer('length', { min: 0, max: 600 }) ?? PAUSE_DEFAULTS.length;
  attrs.finish();
  ctx.expectEmpty(el);
  return { verb: 'Pause', length };
}
