/**
 * The non-INVITE server transaction: RFC 3261 §17.2.2.
 *
 *   Trying --1xx from TU--> Proceeding
 *     \--200-699 from TU-------+--> Completed --Timer J--> Terminated
 */
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { InboundSource, SendTarget } from '../transport/types.js';
import type { TransactionContext } from './transaction-base.js';
import { ServerTransactionBase, type RetransmissionOutcome } from './server-transaction-base.js';

export type ServerNonInviteState = 'trying' | 'proceeding' | 'completed' | 'terminated';

const LEGAL: Readonly<Record<ServerNonInviteState, readonly ServerNonInviteState[]>> = {
  trying: ['proceeding', 'completed', 'terminated'],
  proceeding: ['completed', 'terminated'],
  completed: ['terminated'],
  terminated: [],
};

export class ServerNonInviteTransaction extends ServerTransactionBase<ServerNonInviteState> {
  readonly kind = 'server-non-invite' as const;

  constructor(
    ctx: TransactionContext,
    id: string,
    callId: string,
    request: SipRequest,
    source: InboundSource,
    responseTarget: SendTarget,
  ) {
    super(ctx, id, callId, request, source, responseTarget, 'trying', LEGAL);
  }

  /**
   * Nothing is sent on creation: §17.2.2 has no automatic 100 for non-INVITE.
   *
   * Local policy, not an RFC rule: §17.2.2 lets the transaction wait for the
   * TU forever, but the client gives up after Timer F (64*T1, §17.1.2.2), so
   * a final response later than that reaches no one. A transaction whose TU
   * has not answered by then is abandoned, so that a lost answer cannot leak.
   */
  start(): void {
    this.startTimer('unanswered', this.ctx.values.t1x64, () => {
      if (this.state !== 'trying' && this.state !== 'proceeding') return;
      this.ctx.logger.warn(
        { callId: this.callId, transaction: this.id, method: this.request.method },
        'no final response from the transaction user within 64*T1; transaction abandoned',
      );
      this.terminate();
    });
  }

  get hasFinalResponse(): boolean {
    return this.state === 'completed' || this.state === 'terminated';
  }

  /**
   * §17.2.2: "While in the 'Trying' state, if the TU passes a provisional
   * response to the server transaction, the server transaction MUST enter the
   * 'Proceeding' state. The response MUST be passed to the transport layer
   * for transmission." ... "If the TU passes a final response (status codes
   * 200-699) to the server while in the 'Proceeding' state, the transaction
   * MUST enter the 'Completed' state, and the response MUST be passed to the
   * transport layer for transmission." ... "When the server transaction
   * enters the 'Completed' state, it MUST set Timer J to fire in 64*T1
   * seconds for unreliable transports, and zero seconds for reliable
   * transports."
   */
  protected onResponseFromTu(response: SipResponse): boolean {
    if (this.state !== 'trying' && this.state !== 'proceeding') return false;
    if (response.status < 200) {
      if (this.state === 'trying') this.transition('proceeding');
      this.sendResponse(response);
      return true;
    }
    this.transition('completed');
    this.stopTimer('unanswered');
    this.sendResponse(response);
    if (this.reliable) this.terminate();
    else this.startTimer('J', this.ctx.values.t1x64, () => this.terminate());
    return true;
  }

  /**
   * §17.2.2: "Once in the 'Trying' state, any further request
   * retransmissions are discarded." ... "If a retransmission of the request
   * is received while in the 'Proceeding' state, the most recently sent
   * provisional response MUST be passed to the transport layer for
   * retransmission." ... "While in the 'Completed' state, the server
   * transaction MUST pass the final response to the transport layer for
   * retransmission whenever a retransmission of the request is received."
   */
  receiveRequest(_request: SipRequest): RetransmissionOutcome {
    if (this.state === 'proceeding' || this.state === 'completed') this.resendLast();
    return 'absorbed';
  }
}
