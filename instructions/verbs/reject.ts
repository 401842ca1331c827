import { AttributeReader } from '../attributes.js';
import type { ParseContext } from '../context.js';
import type { XmlElement } from '../xml-tree.js';

export const REJECT_REASONS = ['rejected', 'busy'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/**
 * <Reject>: refuse an unanswered call. The SIP status is chosen by the
 * router: busy -> 486 Busy Here, rejected -> 603 Decline (RFC 3261 21.4.24, 21.6.2).
 */
export interface RejectVerb {
  readonly verb: 'Reject';
  readonly reason: RejectReason;
}

export function parseReject(el: XmlElement, ctx: ParseContext): RejectVerb {
  const attrs = new AttributeReader(el, ctx);
  const reason = attrs.enumeration('reason', REJECT_REASONS) ?? 'rejected';
  attrs.finish();
  ctx.expectEmpty(el);
  return { verb: 'Reject', reason };
}
