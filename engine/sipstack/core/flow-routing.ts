import { parseNameAddr } from '../message/name-addr.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import { parseUri, type SipUri } from '../message/uri.js';
import type { SendTarget } from '../transport/types.js';
import type { CoreState, InboundTxn } from './core-state.js';

/**
 * Requests an application sends outside a dialog that follow a registered
 * contact's connection, as drachtio-server picks them (doSendRequestOutsideDialog).
 */
const FLOW_METHODS = new Set(['INVITE', 'OPTIONS', 'NOTIFY', 'MESSAGE']);

/** Thrown when a request's only way to its target is a WebSocket connection that is not open. */
export class NoConnectionError extends Error {}

/**
 * After the application answered a REGISTER with 200 (or a SUBSCRIBE with
 * 200/202) that came over a connection: the request's Contact user@host is
 * reached over that connection for as long as the response grants —
 * the Contact's `expires` parameter, else the Expires header (RFC 3261
 * §10.3 step 8; RFC 6665 §4.2.1.1 for SUBSCRIBE); 0 removes it.
 */
export function recordFlow(core: CoreState, inbound: InboundTxn, res: SipResponse): void {
  const req = inbound.request;
  const source = inbound.source;
  if (source.protocol === 'udp' || !source.connectionId) return;
  // The connection may have closed while the application decided: a flow must not outlive it.
  if (!core.transports.connectionOpen(source.protocol, source.connectionId)) return;
  const ok = req.method === 'REGISTER' ? res.status === 200 : req.method === 'SUBSCRIBE' && (res.status === 200 || res.status === 202);
  if (!ok) return;
  const contact = firstContactUri(req);
  if (!contact || !contact.host) return;
  const expires = req.method === 'REGISTER' ? registerExpires(res, contact) : headerExpires(res);
  core.flows.remember(contact.user, contact.host, expires, {
    protocol: source.protocol,
    remote: source.remote,
    connectionId: source.connectionId,
    local: source.local,
  });
  core.log.debug({ contact: `${contact.user ?? ''}@${contact.host}`, expires, connectionId: source.connectionId }, 'registered contact flow');
}

/**
 * Where a request the application sends outside a dialog goes when its
 * Request-URI is a contact registered over a connection: that connection.
 * A request with a Route or an outbound proxy goes there instead.
 */
export function flowForRequest(core: CoreState, req: SipRequest, explicitRoute: boolean): SendTarget | undefined {
  if (explicitRoute || !FLOW_METHODS.has(req.method)) return undefined;
  const uri = tryParseUri(req.uri);
  if (!uri?.host) return undefined;
  return core.flows.find(uri.user, uri.host);
}

/**
 * A dialog's requests to a remote target registered over a connection use
 * it (the client may have reconnected since the dialog began, as
 * drachtio-server checks for a "mid-call handoff"); a WebSocket remote target
 * that is not registered is reached over the connection the dialog was made
 * on (RFC 7118 §5: its host is usually not resolvable).
 */
export function flowForDialog(core: CoreState, remoteTarget: string, dialogTarget: SendTarget): SendTarget | undefined {
  const uri = tryParseUri(remoteTarget);
  if (!uri?.host) return undefined;
  const flow = core.flows.find(uri.user, uri.host);
  if (flow) return flow;
  if (!isWebSocketUri(uri)) return undefined;
  if (dialogTarget.protocol !== 'ws' && dialogTarget.protocol !== 'wss') {
    throw new NoConnectionError(`no WebSocket connection to ${remoteTarget}`);
  }
  return { ...dialogTarget };
}

/** A sip: URI with transport=ws or wss (RFC 7118 §5.1). */
export function isWebSocketUri(uri: SipUri): boolean {
  const t = uri.params.get('transport')?.toLowerCase();
  return t === 'ws' || t === 'wss';
}

function firstContactUri(req: SipRequest): SipUri | undefined {
  const value = req.headers.values('contact')[0];
  if (!value || value.trim() === '*') return undefined;
  try {
    return parseUri(parseNameAddr(value).uri);
  } catch {
    return undefined;
  }
}

/** The expiry granted to `contact`: its own `expires` parameter in the 200, else the Expires header. */
function registerExpires(res: SipResponse, contact: SipUri): number {
  const contacts = res.headers.values('contact').flatMap((c) => {
    try {
      return [parseNameAddr(c)];
    } catch {
      return [];
    }
  });
  const same = contacts.find((c) => {
    const u = tryParseUri(c.uri);
    return u !== undefined && u.user === contact.user && u.host === contact.host;
  });
  const param = (same ?? contacts[0])?.params.get('expires');
  if (param !== undefined && param !== null && /^\d+$/.test(param.trim())) return Number(param.trim());
  return headerExpires(res);
}

function headerExpires(res: SipResponse): number {
  const value = res.headers.get('expires')?.trim();
  return value && /^\d+$/.test(value) ? Number(value) : 0;
}

function tryParseUri(text: string): SipUri | undefined {
  try {
    return parseUri(text);
  } catch {
    return undefined;
  }
}
