import { isIP } from 'node:net';
import type { Binding } from '../registrar/registrar.js';
import type { DialTarget } from './dial-target.js';

/**
 * Where an INVITE for a registered contact goes.
 *
 * The Request-URI is the contact as registered (RFC 3261 §10.2.1, §16.5: a
 * request for the address-of-record is retargeted to each of its contacts).
 * The request itself is sent to the address the REGISTER came from, over the
 * transport it came on (RFC 3581 §4 received/rport; RFC 5626 §5.3 flows), so
 * a user behind NAT, or on a TCP or WebSocket connection, is reached through
 * the flow it opened rather than the private address in its Contact.
 */
export function contactTarget(binding: Binding): DialTarget {
  const { address, port, protocol } = binding.source;
  const host = isIP(address) === 6 ? `[${address}]` : address;
  // The transport parameter, not the scheme, picks the flow (RFC 3261 §19.1.1).
  return { requestUri: binding.contactUri, proxy: `sip:${host}:${port};transport=${protocol}` };
}
