import { AttributeReader, HTTP_SCHEMES, type HttpMethod } from '../attributes.js';
import type { ParseContext } from '../context.js';
import type { XmlElement } from '../xml-tree.js';

/** <Redirect>: fetch the document at `url` and run it instead of the rest of this one. */
export interface RedirectVerb {
  readonly verb: 'Redirect';
  readonly url: string;
  readonly method: HttpMethod;
}

export function parseRedirect(el: XmlElement, ctx: ParseContext): RedirectVerb {
  const attrs = new AttributeReader(el, ctx);
  const method = attrs.method('method') ?? 'POST';
  attrs.finish();
  const url = ctx.resolveUrl(el, ctx.requiredText(el, 'the URL to fetch'), HTTP_SCHEMES);
  return { verb: 'Redirect', url, method };
}
