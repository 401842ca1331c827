/**
 * The Contact header of a REGISTER (RFC 3261 §20.10, §10.2.1):
 *
 *   Contact = ( STAR / ( contact-param *(COMMA contact-param) ) )
 *   contact-param = ( name-addr / addr-spec ) *( SEMI contact-params )
 *
 * Several Contact header lines arrive joined by commas. Without angle
 * brackets, everything after the first `;` is a header parameter (§20.10),
 * so a URI with parameters must be written in `<...>`.
 */

export interface ContactEntry {
  /** The URI, without angle brackets. */
  uri: string;
  /** The `expires` parameter in seconds, when present and numeric. */
  expires?: number;
}

export type ContactList = { kind: 'star' } | { kind: 'contacts'; contacts: ContactEntry[] };

export class ContactHeaderError extends Error {
  override readonly name = 'ContactHeaderError';
}

const MAX_CONTACTS = 64;

/** Splits at commas outside quoted strings and angle brackets. */
function splitTopLevel(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') depth++;
    else if (c === '>') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted) throw new ContactHeaderError('unterminated quoted string');
  if (depth !== 0) throw new ContactHeaderError('unbalanced angle brackets');
  parts.push(value.slice(start));
  return parts.map((p) => p.trim());
}

function parseParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const raw of text.split(';')) {
    const p = raw.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    const name = (eq === -1 ? p : p.slice(0, eq)).trim().toLowerCase();
    const value = eq === -1 ? '' : p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    params.set(name, value);
  }
  return params;
}

function parseOne(text: string): ContactEntry {
  let uri: string;
  let rest: string;
  const open = text.indexOf('<');
  if (open !== -1) {
    const close = text.indexOf('>', open);
    if (close === -1) throw new ContactHeaderError('unbalanced angle brackets');
    uri = text.slice(open + 1, close).trim();
    rest = text.slice(close + 1);
  } else {
    const semi = text.indexOf(';');
    uri = (semi === -1 ? text : text.slice(0, semi)).trim();
    rest = semi === -1 ? '' : text.slice(semi);
  }
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(uri)) throw new ContactHeaderError(`"${uri.slice(0, 80)}" is not a URI`);
  const expiresText = parseParams(rest).get('expires');
  const entry: ContactEntry = { uri };
  if (expiresText !== undefined) {
    // RFC 3261 §20.10: delta-seconds; an unreadable value is ignored like an absent one.
    if (/^\d{1,10}$/.test(expiresText)) entry.expires = Number(expiresText);
  }
  return entry;
}

/** Parses the joined Contact header values; throws ContactHeaderError saying what is wrong. */
export function parseContacts(value: string): ContactList {
  const parts = splitTopLevel(value).filter((p) => p !== '');
  if (parts.length === 0) throw new ContactHeaderError('empty Contact');
  if (parts.some((p) => p === '*')) {
    // RFC 3261 §10.3 step 6: "*" stands alone.
    if (parts.length > 1) throw new ContactHeaderError('"*" must be the only Contact');
    return { kind: 'star' };
  }
  if (parts.length > MAX_CONTACTS) throw new ContactHeaderError(`more than ${MAX_CONTACTS} contacts`);
  return { kind: 'contacts', contacts: parts.map(parseOne) };
}
