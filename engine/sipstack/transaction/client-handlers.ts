import type { SipResponse } from '../message/sip-message.js';

/** What a client transaction tells its transaction user (RFC 3261 §17.1). */
export interface ClientTransactionHandlers {
  /** A 1xx response. */
  onProvisional?(response: SipResponse): void;
  /**
   * A final response. For INVITE, every 2xx that arrives in the Accepted state
   * (retransmissions and 2xx from other forks, RFC 6026 §8.4) comes here too;
   * a retransmitted 3xx-6xx is answered with the ACK and not passed up.
   */
  onFinal?(response: SipResponse): void;
  /** Timer B or F fired (§17.1.1.2, §17.1.2.2), or a cancelled INVITE got no final response in 64*T1 (§9.1). */
  onTimeout?(): void;
  /** The transports could not send the request (§17.1.4). */
  onTransportError?(err: Error): void;
}
