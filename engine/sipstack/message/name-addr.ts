/**
 * From, To, Contact, Route, Record-Route, Reply-To values (RFC 3261 §20.10,
 * §25.1): ( name-addr / addr-spec ) *( SEMI header-param ), where
 * name-addr = [ display-name ] LAQUOT addr-spec RAQUOT.
 */
import { SipParseError } from './errors.js';
import { formatParams, parseParams, quote, scanQuoted, skipWs, unquote } from './syntax.js';

export interface NameAddr {
  /** Unquoted and unescaped. */
  displayName?: string;
  /** The URI text, without angle brackets. */
  uri: string;
  /** Header parameters (tag, expires, q, ...): lowercase names, values as written. */
  params: Map<string, string | null>;
}

/** Parses one name-addr or addr-spec with its parameters; throws SipParseError. */
export function parseNameAddr(value: string): NameAddr {
  const params = new Map<string, string | null>();
  const i = skipWs(value, 0);
  if (i >= value.length) throw new SipParseError('empty address');
  let displayName: string | undefined;
  let lt: number;
  if (value.charCodeAt(i) === 0x22) {
    const end = scanQuoted(value, i);
    displayName = unquote(value.slice(i, end));
    lt = skipWs(value, end);
    if (value.charCodeAt(lt) !== 0x3c) throw new SipParseError("expected '<' after the display name");
  } else {
    lt = value.indexOf('<', i);
    if (lt < 0) {
      // addr-spec form: "If the URI is not enclosed in angle brackets, any
      // semicolon-delimited parameters are header-parameters, not URI
      // parameters" (§20.10).
      const semi = value.indexOf(';', i);
      const uri = (semi < 0 ? value.slice(i) : value.slice(i, semi)).trimEnd();
      if (uri.length === 0 || /[\s<>"]/.test(uri)) throw new SipParseError(`bad address '${value}'`);
      if (semi >= 0) parseParams(value, semi, params);
      return { uri, params };
    }
    // display-name = *(token LWS) / quoted-string; unquoted names with other
    // characters (RFC 4475 §3.1.2.16) are accepted as written.
    const name = value.slice(i, lt).trim();
    if (name.length > 0) displayName = name;
  }
  const gt = value.indexOf('>', lt + 1);
  if (gt < 0) throw new SipParseError("missing '>' in address");
  // Spaces just inside the brackets (RFC 4475 §3.1.2.15) are tolerated.
  const uri = value.slice(lt + 1, gt).trim();
  if (uri.length === 0 || /[\s<"]/.test(uri)) throw new SipParseError(`bad URI in address '${value}'`);
  parseParams(value, gt + 1, params);
  return { displayName, uri, params };
}

/** Always writes the name-addr form, so that URI parameters stay inside the brackets. */
export function formatNameAddr(n: NameAddr): string {
  const name = n.displayName === undefined ? '' : `${quote(n.displayName)} `;
  return `${name}<${n.uri}>${formatParams(n.params)}`;
}

/** The tag parameter of a From or To value (§19.3), undefined when absent or unparsable. */
export function tagOf(value: string): string | undefined {
  try {
    return parseNameAddr(value).params.get('tag') ?? undefined;
  } catch {
    return undefined;
  }
}
