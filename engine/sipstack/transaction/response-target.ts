/**
 * Where a server transaction sends its responses: RFC 3261 §18.2.2 with the
 * RFC 3581 `rport` rule.
 */
import type { InboundSource, SendTarget, TransportProtocol } from '../transport/types.js';
import { isReliable } from '../transport/types.js';
import type { ViaFields } from './message-fields.js';

function defaultPort(protocol: TransportProtocol): number {
  return protocol === 'tls' || protocol === 'wss' ? 5061 : 5060;
}

/**
 * §18.2.2: "If the 'sent-protocol' is a reliable transport protocol ... the
 * response MUST be sent using the existing connection to the source of the
 * original request"; if that connection is gone, a new one goes to the
 * `received` address and the sent-by port. "Otherwise, if the Via header field
 * value contains a 'maddr' parameter, the response MUST be forwarded to the
 * address listed there, using the port indicated in 'sent-by', or port 5060".
 * "Otherwise ... the response MUST be sent to the address in the 'received'
 * parameter, using the port indicated in the 'sent-by' value".
 * RFC 3581 §4: with `rport`, the response goes to the source IP address and
 * port the request came from.
 *
 * The request's source address stands in for `received` when the transport
 * did not add one (§18.2.1 adds it exactly when sent-by differs from the source).
 */
export function responseTarget(via: ViaFields, source: InboundSource): SendTarget {
  const protocol = source.protocol;
  const local = source.local;
  const received = via.params.get('received') || source.remote.address;
  const sentByPort = via.port ?? defaultPort(protocol);

  if (isReliable(protocol)) {
    const port = via.params.has('rport') ? source.remote.port : sentByPort;
    return { protocol, remote: { address: received, port }, connectionId: source.connectionId, local };
  }
  const maddr = via.params.get('maddr');
  if (maddr) return { protocol, remote: { address: maddr, port: via.port ?? 5060 }, local };
  if (via.params.has('rport')) {
    const rport = Number(via.params.get('rport'));
    const port = Number.isInteger(rport) && rport > 0 && rport <= 65535 ? rport : source.remote.port;
    return { protocol, remote: { address: received, port }, local };
  }
  return { protocol, remote: { address: received, port: sentByPort }, local };
}
