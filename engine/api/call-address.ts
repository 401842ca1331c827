/**
 * The parties of a call as the API accepts them: a phone number (an optional
 * "+" and digits, written with any spaces, dashes, dots or parentheses) or a
 * SIP URI (RFC 3261 section 19.1: sip: or sips:, an optional user part, a host).
 */

const PHONE_PUNCTUATION = /[\s\-.()]/g;
const PHONE = /^\+?\d{2,15}$/;
/** user@host[:port][;params][?headers], or host alone; no spaces, no angle brackets. */
const SIP_URI = /^sips?:(?:[^\s@<>"]+@)?(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?(?:[;?][^\s<>"]*)?$/i;
/** A bare user name (e.g. a softphone's or a client's), for From. */
const USER_NAME = /^[A-Za-z0-9._+!~*'-]{1,64}$/;

/** The normalised phone number, or undefined when `text` is not one. */
export function normalizePhoneNumber(text: string): string | undefined {
  const stripped = text.trim().replace(PHONE_PUNCTUATION, '');
  return PHONE.test(stripped) ? stripped : undefined;
}

export function isSipUri(text: string): boolean {
  return SIP_URI.test(text.trim());
}

/** Twilio's form of a called client: client:<identity> (here a SIP user's name). */
const CLIENT = /^client:([A-Za-z0-9._~!$&'()*+=;?/%-]{1,64})$/i;

/** The SIP user of a `client:<name>` address, or undefined when `to` is not one. */
export function clientName(to: string): string | undefined {
  return CLIENT.exec(to.trim())?.[1];
}

/** The called party: a phone number (normalised), a SIP URI or client:<name>; undefined when none. */
export function normalizeTo(text: string): string | undefined {
  const trimmed = text.trim();
  if (/^client:/i.test(trimmed)) {
    const name = clientName(trimmed);
    return name === undefined ? undefined : `client:${name}`;
  }
  if (/^sips?:/i.test(trimmed)) return isSipUri(trimmed) ? trimmed : undefined;
  return normalizePhoneNumber(trimmed);
}

/** The caller: a phone number, a SIP URI, client:<name> or a bare user name; undefined when none of them. */
export function normalizeFrom(text: string): string | undefined {
  const trimmed = text.trim();
  if (/^client:/i.test(trimmed)) {
    const name = clientName(trimmed);
    return name === undefined ? undefined : `client:${name}`;
  }
  if (/^sips?:/i.test(trimmed)) return isSipUri(trimmed) ? trimmed : undefined;
  return normalizePhoneNumber(trimmed) ?? (USER_NAME.test(trimmed) ? trimmed : undefined);
}

/**
 * CallerId: a phone number, a SIP URI, client:<name>, a bare user name, or a
 * SIP address written as Twilio documents it (name@company.com, made a sip:
 * URI); undefined when none of them.
 */
export function normalizeCallerId(text: string): string | undefined {
  const trimmed = text.trim();
  if (/^[^\s:@<>"]+@[^\s@<>"]+$/.test(trimmed) && isSipUri(`sip:${trimmed}`)) return `sip:${trimmed}`;
  return normalizeFrom(trimmed);
}

/** True for an absolute http: or https: URL. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
