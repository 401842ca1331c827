import { AttributeReader, type HttpMethod } from '../attributes.js';
import type { ParseContext } from '../context.js';
import { childElements, ownText, type XmlElement } from '../xml-tree.js';
import { uriHeaders } from './uri-headers.js';

/** The <Sip> noun of <Refer>: where the far end is asked to take the call. */
export interface ReferSipNoun {
  /**
   * The Refer-To URI as written, its header part (`?name=value&...`)
   * included: the far end puts those headers in the INVITE it sends to the
   * target (RFC 3261 19.1.5), as Twilio documents for passing context.
   */
  readonly uri: string;
  /** The X- headers among them, decoded: sent on the REFER itself as well. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * <Refer>: ask the SIP party of the call to transfer itself (a SIP REFER,
 * RFC 3515) to the <Sip> URI, wait for the outcome its NOTIFYs report, then
 * request `action` with ReferCallStatus, ReferSipResponseCode and
 * NotifySipResponseCode, or go on with the next verb.
 */
export interface ReferVerb {
  readonly verb: 'Refer';
  readonly action?: string;
  readonly method: HttpMethod;
  readonly sip: ReferSipNoun;
}

/** The X- headers of a URI's header part, decoded; other headers stay in the URI only. */
function uriXHeaders(el: XmlElement, ctx: ParseContext, query: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { name, value, sendable } of uriHeaders(el, ctx, query)) {
    if (!/^X-[A-Za-z0-9-]+$/i.test(name)) continue;
    // A decoded line break would split the REFER's header: it stays in the (encoded) URI only.
    if (!sendable) ctx.warn(el, `URI header "${name}" holds a line break: it is not copied onto the REFER`);
    else headers[name] = value;
  }
  return headers;
}

function parseReferSip(el: XmlElement, ctx: ParseContext): ReferSipNoun {
  // Twilio's <Sip> inside <Refer> has no attributes: any is noted and ignored.
  new AttributeReader(el, ctx).finish();
  const text = ctx.requiredText(el, 'the SIP URI');
  // RFC 3261 19.1.1: sip: or sips:, and nothing that cannot stand inside <...> of a Refer-To (RFC 3515 2.1).
  if (!/^sips?:[^\s<>"]+$/i.test(text) || /^sips?:[?;@]/i.test(text)) throw ctx.fail(el, `"${text}" is not a sip: or sips: URI`);
  const q = text.indexOf('?');
  return { uri: text, headers: q < 0 ? {} : uriXHeaders(el, ctx, text.slice(q + 1)) };
}

export function parseRefer(el: XmlElement, ctx: ParseContext): ReferVerb {
  const attrs = new AttributeReader(el, ctx);
  const action = attrs.url('action');
  const method = attrs.method('method') ?? 'POST';
  attrs.finish();
  if (ownText(el).trim() !== '') throw ctx.fail(el, 'text is not allowed here; put the URI in a <Sip> noun');
  const children = childElements(el);
  const other = children.find((c) => c.name !== 'Sip');
  if (other) throw ctx.fail(other, `<${other.name}> is not allowed inside <Refer> (only Sip)`);
  const [sip, extra] = children;
  if (!sip) throw ctx.fail(el, 'a <Sip> noun with the URI to transfer to is required');
  if (extra) throw ctx.fail(extra, '<Refer> takes exactly one <Sip> noun');
  return { verb: 'Refer', action, method, sip: parseReferSip(sip, ctx) };
}
