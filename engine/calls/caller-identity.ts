import { sipUriParts } from '../routing/sip-uri-parts.js';
import { splitHeaderList } from '../sipstack/message/header-list.js';

/**
 * What an inbound INVITE says about who calls, past From, as Twilio's
 * webhook parameters: CallerName (the display name of P-Asserted-Identity,
 * RFC 3325, which a trunk asserts, before From's), ForwardedFrom (the
 * number the call was diverted from: the newest Diversion entry, RFC 5806,
 * or else the entry before the last of History-Info, RFC 7044) and
 * StirVerstat (the verification status a trunk puts in the `verstat`
 * parameter of the P-Asserted-Identity or From URI, ATIS-1000074, with
 * the attestation of the Identity header's PASSporT, RFC 8588, appended as
 * Twilio does: `TN-Validation-Passed-A`).
 */

type Headers = Readonly<Record<string, string>>;

/** Display name of a name-addr (`"Alice" <sip:...>`), unquoted; undefined when absent. */
export function displayName(value: string): string | undefined {
  const open = value.indexOf('<');
  if (open <= 0) return undefined;
  const name = value.slice(0, open).trim().replace(/^"(.*)"$/, '$1').replace(/\\(.)/g, '$1');
  return name === '' ? undefined : name;
}

function header(headers: Headers, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** The user part of the URI of a name-addr or addr-spec (a tel: URI's number). */
function userOf(value: string): string | undefined {
  const user = sipUriParts(value)?.user;
  return user === undefined || user === '' ? undefined : user;
}

/** A URI parameter of a name-addr's URI (inside the angle brackets), or of an addr-spec. */
function uriParam(value: string, name: string): string | undefined {
  const open = value.indexOf('<');
  const uri = open === -1 ? value : value.slice(open + 1, value.indexOf('>', open) === -1 ? undefined : value.indexOf('>', open));
  for (const part of uri.split('?')[0]?.split(';').slice(1) ?? []) {
    const eq = part.indexOf('=');
    if ((eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase() === name) return eq === -1 ? '' : part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The attestation (A, B or C) of a PASSporT in an Identity header (RFC 8224: the JWS, then `;info=...` parameters). */
function attestation(identity: string | undefined): string | undefined {
  const jws = identity?.split(';')[0]?.trim();
  const payload = jws?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { attest?: unknown };
    return typeof claims.attest === 'string' && /^[ABC]$/.test(claims.attest) ? claims.attest : undefined;
  } catch {
    return undefined;
  }
}

function forwardedFrom(headers: Headers): string | undefined {
  const diversion = header(headers, 'Diversion');
  const newest = diversion === undefined ? undefined : splitHeaderList(diversion)[0];
  if (newest !== undefined) return userOf(newest);
  const history = header(headers, 'History-Info');
  if (history === undefined) return undefined;
  const entries = splitHeaderList(history);
  return entries.length >= 2 ? userOf(entries[entries.length - 2] as string) : undefined;
}

export function callerIdentityParams(headers: Headers, from: string): Record<string, string> {
  const out: Record<string, string> = {};
  const asserted = header(headers, 'P-Asserted-Identity');
  const firstAsserted = asserted === undefined ? undefined : splitHeaderList(asserted)[0];
  const name = (firstAsserted !== undefined ? displayName(firstAsserted) : undefined) ?? displayName(from);
  if (name !== undefined) out.CallerName = name;
  const forwarded = forwardedFrom(headers);
  if (forwarded !== undefined) out.ForwardedFrom = forwarded;
  const verstat = (firstAsserted !== undefined ? uriParam(firstAsserted, 'verstat') : undefined) ?? uriParam(from, 'verstat');
  if (verstat) {
    const attest = attestation(header(headers, 'Identity'));
    out.StirVerstat = attest !== undefined && verstat.startsWith('TN-Validation') && !/-[ABC]$/.test(verstat) ? `${verstat}-${attest}` : verstat;
  }
  return out;
}
