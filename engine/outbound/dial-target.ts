import type { Trunk } from '../../config/trunks.js';

/** Where an outbound INVITE goes and how it authenticates. */
export interface DialTarget {
  requestUri: string;
  /** Outbound proxy (a SIP URI) when the request must go somewhere other than the Request-URI's host. */
  proxy?: string;
  auth?: { username: string; password: string };
  /** The trunk that carries the call, when the target was a phone number. */
  trunkId?: string;
  /** Host part of the From URI the trunk asks for. */
  fromDomain?: string;
}

/** The number or URI cannot be dialled; the message says why. */
export class DialTargetError extends Error {
  override readonly name = 'DialTargetError';
}

/** Visual separators people write in phone numbers (RFC 3966 §5.1.1 visual-separator, and spaces). */
const VISUAL_SEPARATORS = /[\s\-.()]/g;

/** A SIP or SIPS URI with something after the scheme and no characters a URI cannot hold. */
const SIP_URI = /^sips?:[^\s<>"]+$/i;

/**
 * Resolves what a caller asked to dial into a Request-URI.
 *
 * - A `sip:`/`sips:` URI is dialled as it is, with `auth` when both parts are given.
 * - A phone number (an optional +, digits; spaces, dashes, dots and
 *   parentheses are dropped) goes to the trunk with the longest matching
 *   prefix (the first in the configuration on a tie); the trunk's `strip`
 *   characters come off its front and `prepend` goes in their place; the
 *   Request-URI is sip:<number>@<host>:<port>, with ;transport=tcp on a TCP
 *   trunk (RFC 3261 §19.1.1), and the trunk's credentials are used.
 *
 * Throws DialTargetError when the number is malformed or no trunk carries it.
 */
export function resolveDialTarget(
  to: string,
  trunks: readonly Trunk[],
  auth?: { username?: string; password?: string },
): DialTarget {
  const text = to.trim();
  if (/^sips?:/i.test(text)) return sipUriTarget(text, auth);
  const number = normalizeNumber(text);
  const trunk = trunkFor(number, trunks);
  return trunkTarget(number, trunk);
}

/** The number without visual separators; throws when what is left is not an optional + and digits. */
export function normalizeNumber(text: string): string {
  if (text === '') throw new DialTargetError('nothing to dial: the number is empty');
  const number = text.replace(VISUAL_SEPARATORS, '');
  if (!/^\+?[0-9]+$/.test(number)) {
    throw new DialTargetError(`'${text}' is neither a phone number (an optional + and digits) nor a sip: or sips: URI`);
  }
  return number;
}

function sipUriTarget(uri: string, auth: { username?: string; password?: string } | undefined): DialTarget {
  const afterScheme = uri.slice(uri.indexOf(':') + 1);
  const host = afterScheme.slice(afterScheme.indexOf('@') + 1);
  if (!SIP_URI.test(uri) || host === '' || /^[;:?]/.test(host)) {
    throw new DialTargetError(`'${uri}' is not a usable SIP URI (expected e.g. sip:alice@example.com)`);
  }
  const target: DialTarget = { requestUri: uri };
  if (auth?.username && auth.password) target.auth = { username: auth.username, password: auth.password };
  return target;
}

/** The trunk with the longest prefix of `number`, the first in configuration order on a tie. */
function trunkFor(number: string, trunks: readonly Trunk[]): Trunk {
  let best: { trunk: Trunk; length: number } | undefined;
  for (const trunk of trunks) {
    for (const prefix of trunk.prefixes) {
      if (!number.startsWith(prefix)) continue;
      if (!best || prefix.length > best.length) best = { trunk, length: prefix.length };
    }
  }
  if (!best) {
    throw new DialTargetError(
      trunks.length === 0
        ? `cannot dial ${number}: no outbound trunk is configured`
        : `cannot dial ${number}: no outbound trunk carries it (prefixes: ${trunks.map((t) => `${t.id} ${JSON.stringify(t.prefixes)}`).join(', ')})`,
    );
  }
  return best.trunk;
}

function trunkTarget(number: string, trunk: Trunk): DialTarget {
  if (trunk.strip >= number.length) {
    throw new DialTargetError(`cannot dial ${number}: trunk ${trunk.id} strips ${trunk.strip} characters, which leaves nothing to send`);
  }
  const dialled = trunk.prepend + number.slice(trunk.strip);
  // '#' is not allowed in the user part of a SIP URI (RFC 3261 §25.1); it travels escaped.
  const user = dialled.replace(/#/g, '%23');
  const host = trunk.host.includes(':') && !trunk.host.startsWith('[') ? `[${trunk.host}]` : trunk.host;
  const transport = trunk.transport === 'tcp' ? ';transport=tcp' : '';
  const target: DialTarget = { requestUri: `sip:${user}@${host}:${trunk.port}${transport}`, trunkId: trunk.id };
  if (trunk.username !== undefined && trunk.password !== undefined) {
    target.auth = { username: trunk.username, password: trunk.password };
  }
  if (trunk.fromDomain !== undefined) target.fromDomain = trunk.fromDomain;
  return target;
}
