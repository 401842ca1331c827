import { AttributeReader } from '../attributes.js';
import type { ParseContext } from '../context.js';
import type { XmlElement } from '../xml-tree.js';

/** <Hangup>: end the call. */
export interface HangupVerb {
  readonly verb: 'Hangup';
}

export function parseHangup(el: XmlElement, ctx: ParseContext): HangupVerb {
  new AttributeReader(el, ctx).finish();
  ctx.expectEmpty(el);
  return { verb: 'Hangup' };
}
