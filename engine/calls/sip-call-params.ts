import { sipUriParts } from '../routing/sip-uri-parts.js';
import { callerIdentityParams } from './caller-identity.js';

export { displayName } from './caller-identity.js';

/** What the webhook parameters are built from: the INVITE as drachtio-srf hands it over. */
export interface InviteView {
  uri: string;
  callId: string;
  sourceAddress: string;
  sourcePort: number;
  headers: Readonly<Record<string, string>>;
  /** From and To header values. */
  from: string;
  to: string;
}

/** The URI inside a name-addr, without its parameters: `sip:alice@example.com:5070`. */
export function bareUri(value: string): string {
  let uri = value.trim();
  const open = uri.indexOf('<');
  if (open !== -1) {
    const close = uri.indexOf('>', open);
    uri = uri.slice(open + 1, close === -1 ? undefined : close);
  } else {
    // RFC 3261 20.10: without angle brackets, parameters after ';' belong to the header.
    uri = uri.split(';')[0] ?? uri;
  }
  // RFC 3261 19.1.1: URI parameters and headers follow the hostport.
  return uri.split(/[;?]/)[0]?.trim() ?? uri;
}

/**
 * Twilio's SIP parameters for an inbound call: SipCallId, SipSourceIp,
 * SipSourcePort, SipDomain (the Request-URI's host), CallerName,
 * ForwardedFrom and StirVerstat (caller-identity.ts) and SipHeader_<name>
 * for each X- header of the INVITE.
 */
export function sipCallParams(invite: InviteView): Record<string, string> {
  const params: Record<string, string> = {
    SipCallId: invite.callId,
    SipSourceIp: invite.sourceAddress,
    SipSourcePort: String(invite.sourcePort),
  };
  const domain = sipUriParts(invite.uri)?.host;
  if (domain !== undefined) params.SipDomain = domain;
  Object.assign(params, callerIdentityParams(invite.headers, invite.from));
  for (const [header, value] of Object.entries(xHeaders(invite.headers))) params[`SipHeader_${header}`] = value;
  return params;
}

/** The X- headers of a SIP message (the ones Twilio hands to applications), by name as received. */
export function xHeaders(headers: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [header, value] of Object.entries(headers ?? {})) {
    if (/^x-/i.test(header) && typeof value === 'string') out[header] = value;
  }
  return out;
}
