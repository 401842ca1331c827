import type { SipMessage } from '../message/sip-message.js';

export type TransportProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** An address and port on the network. IPv6 addresses are kept without brackets. */
export interface HostPort {
  address: string;
  port: number;
}

/** Where a message came from: which of our transports, which peer, which connection. */
export interface InboundSource {
  protocol: TransportProtocol;
  remote: HostPort;
  local: HostPort;
  /** For connection-oriented transports, the connection it arrived on (reused for responses). */
  connectionId?: string;
}

/** Where to send a message. With a connectionId, that connection is used when it is still open. */
export interface SendTarget {
  protocol: TransportProtocol;
  remote: HostPort;
  connectionId?: string;
  /**
   * Which of our listeners to send from, when there are several of the
   * protocol: responses leave from the one the request came in on.
   */
  local?: HostPort;
}

/** RFC 3261 §18: reliable transports need no retransmission timers A, E, G. */
export function isReliable(protocol: TransportProtocol): boolean {
  return protocol !== 'udp';
}

/** What the transaction layer needs from the transports. */
export interface MessageSender {
  /** Serializes and sends; a transport failure is reported through the returned promise. */
  send(message: SipMessage, target: SendTarget): Promise<void>;
}
