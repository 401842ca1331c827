import { AttributeReader } from '../attributes.js';
import type { ParseContext } from '../context.js';
import type { XmlElement } from '../xml-tree.js';

/** <Leave>: take the caller out of the queue it waits in (valid in a queue's wait document). */
export interface LeaveVerb {
  readonly verb: 'Leave';
}

export function parseLeave(el: XmlElement, ctx: ParseContext): LeaveVerb {
  new AttributeReader(el, ctx).finish();
  ctx.expectEmpty(el);
  return { verb: 'Leave' };
}
