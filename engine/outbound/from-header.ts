/**
 * The From header of an outbound INVITE: `"Display Name" <sip:user@host>`.
 */

export interface FromParty {
  user: string;
  host?: string;
  displayName?: string;
}

/**
 * Characters allowed unescaped in the user part of a SIP URI (RFC 3261
 * §25.1: unreserved / user-unreserved); anything else is percent-escaped.
 */
const USER_CHAR = /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/;

export function escapeUser(user: string): string {
  let out = '';
  for (const ch of user) {
    if (USER_CHAR.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A display name as an RFC 3261 §25.1 quoted-string: `"` and `\` escaped, line breaks dropped. */
export function quoteDisplayName(name: string): string {
  const clean = name.replace(/[\r\n]+/g, ' ');
  return `"${clean.replace(/(["\\])/g, '\\$1')}"`;
}

/** The host of a SIP URI (`sip:user@host:port;params`), brackets kept on IPv6; '' when there is none. */
export function hostOfSipUri(uri: string): string {
  const rest = uri.replace(/^sips?:/i, '');
  // '@' cannot appear unescaped in the user part, so the first one ends it.
  const afterUser = rest.slice(rest.indexOf('@') + 1);
  if (afterUser.startsWith('[')) {
    const end = afterUser.indexOf(']');
    return end === -1 ? '' : afterUser.slice(0, end + 1);
  }
  return afterUser.split(/[:;?]/)[0] ?? '';
}

/** The From header value for `party`, on `defaultHost` when the party names none. */
export function fromHeader(party: FromParty, defaultHost: string, secure: boolean): string {
  const host = party.host && party.host !== '' ? party.host : defaultHost;
  const user = party.user === '' ? '' : `${escapeUser(party.user)}@`;
  const uri = `${secure ? 'sips' : 'sip'}:${user}${host}`;
  const name = party.displayName && party.displayName.trim() !== '' ? `${quoteDisplayName(party.displayName)} ` : '';
  return `${name}<${uri}>`;
}
