import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { parseNameAddr } from '../message/name-addr.js';
import { parseUri } from '../message/uri.js';
import type { SendTarget, TransportProtocol } from '../transport/types.js';

export class TargetError extends Error {}

/**
 * drachtio-server's answer to an application asking for a transport it does
 * not listen on; drachtio-srf hands this text to the request's callback.
 */
export const TRANSPORT_NOT_AVAILABLE = 'requested protocol/transport not available';

/**
 * Where a request goes (RFC 3261 §8.1.2, with RFC 3263 reduced to what a
 * B2BUA needs): the first Route when there is one (loose routing), else the
 * outbound proxy the application named, else the Request-URI. The transport
 * is the URI's `transport` parameter, or TLS for sips, or UDP; the port the
 * URI's or the transport's default; a host name is resolved to an address.
 */
export async function resolveTarget(
  requestUri: string,
  opts: { route?: string; proxy?: string; available: (p: TransportProtocol) => boolean; preferred?: TransportProtocol },
): Promise<SendTarget> {
  let next = requestUri;
  if (opts.route) next = parseNameAddr(opts.route).uri;
  else if (opts.proxy) next = opts.proxy;
  let uri;
  try {
    uri = parseUri(next);
  } catch (err) {
    throw new TargetError(`cannot send to '${next}': ${(err as Error).message}`);
  }
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips') throw new TargetError(`cannot send to a ${uri.scheme}: URI`);
  const transportParam = uri.params.get('transport')?.toLowerCase();
  let protocol: TransportProtocol;
  if (transportParam) {
    if (!['udp', 'tcp', 'tls', 'ws', 'wss'].includes(transportParam)) {
      throw new TargetError(TRANSPORT_NOT_AVAILABLE);
    }
    protocol = transportParam as TransportProtocol;
  } else if (uri.scheme === 'sips') protocol = 'tls';
  else protocol = opts.preferred && opts.available(opts.preferred) ? opts.preferred : opts.available('udp') ? 'udp' : 'tcp';
  if (!opts.available(protocol)) throw new TargetError(TRANSPORT_NOT_AVAILABLE);
  const host = uri.params.get('maddr') ?? uri.host;
  // RFC 7118 §5: a WebSocket client's host is usually made up (`*.invalid`);
  // it is reached only over a connection it opened, never by resolving it.
  if ((protocol === 'ws' || protocol === 'wss') && !isIP(host)) throw new TargetError(`no WebSocket connection to ${next}`);
  const port = uri.port ?? (protocol === 'tls' || protocol === 'wss' ? 5061 : 5060);
  const address = isIP(host) ? host : await resolveHost(host);
  return { protocol, remote: { address, port } };
}

async function resolveHost(host: string): Promise<string> {
  try {
    const r = await lookup(host);
    return r.address;
  } catch {
    throw new TargetError(`cannot resolve host '${host}'`);
  }
}
