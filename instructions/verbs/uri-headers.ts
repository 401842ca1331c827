import type { ParseContext } from '../context.js';
import type { XmlElement } from '../xml-tree.js';

/** A header of a SIP URI's header part (RFC 3261 19.1.1: `?hname=hvalue&...`), decoded. */
export interface UriHeader {
  name: string;
  value: string;
  /** Twilio sends X- headers only; and one holding a line break would split the SIP message. */
  sendable: boolean;
}

/** The headers of `query` (what follows a URI's `?`); a pair that does not decode fails the document. */
export function uriHeaders(el: XmlElement, ctx: ParseContext, query: string): UriHeader[] {
  const out: UriHeader[] = [];
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
    } catch {
      throw ctx.fail(el, `"${pair}" is not a valid URI header`);
    }
    out.push({ name, value, sendable: /^X-[A-Za-z0-9-]+$/i.test(name) && !/[\r\n]/.test(value) });
  }
  return out;
}
