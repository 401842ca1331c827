import type { CallerAuthenticator } from '../auth/caller-authenticator.js';

/**
 * What the rest of the engine asks of the registrar: who the SIP users are,
 * and where each registered user can be reached right now.
 */

/** Transports a binding's REGISTER can have arrived on. */
export type FlowProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** One registered contact of a user (RFC 3261 §10.3). */
export interface Binding {
  username: string;
  /** The Contact URI as registered, e.g. `sip:alice@192.0.2.5:5060;transport=udp`. */
  contactUri: string;
  /**
   * Where the REGISTER came from (the top Via's received/rport, RFC 3581):
   * requests for this contact are sent there, so a user behind NAT, or on a
   * TCP or WebSocket connection, is reached through the same flow.
   */
  source: { protocol: FlowProtocol; address: string; port: number };
  /** When the binding lapses, in ms since the epoch. */
  expiresAt: number;
  callId: string;
  cseq: number;
  userAgent?: string;
}

/** A SIP user as the call router sees one (credentials stay in the registrar). */
export interface SipUser {
  username: string;
  accountSid: string;
  /** Application that the user's own calls go to; without one they are routed like any call. */
  application?: string;
}

export interface Registrar {
  /** The user of that name, when one is configured. */
  user(username: string): SipUser | undefined;
  /** The user's unexpired bindings, most recently registered first; [] when offline or unknown. */
  contactsOf(username: string): Binding[];
  /** Digest authentication of calling users; absent when the engine has no SIP users. */
  readonly callers?: CallerAuthenticator;
}

/** The registrar of an engine with no SIP users. */
export const NO_REGISTRAR: Registrar = {
  user: () => undefined,
  contactsOf: () => [],
};
