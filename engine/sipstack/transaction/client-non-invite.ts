/**
 * The non-INVITE client transaction: RFC 3261 §17.1.2.
 *
 *   Trying --1xx--> Proceeding
 *     |  \              |
 *     |   \--200-699----+--> Completed --Timer K--> Terminated
 *   Timer F / transport error -------------------> Terminated
 */
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import { isReliable, type SendTarget } from '../transport/types.js';
import type { ClientTransactionHandlers } from './client-handlers.js';
import { Transaction, type TransactionContext } from './transaction-base.js';

export type ClientNonInviteState = 'trying' | 'proceeding' | 'completed' | 'terminated';

const LEGAL: Readonly<Record<ClientNonInviteState, readonly ClientNonInviteState[]>> = {
  trying: ['proceeding', 'completed', 'terminated'],
  proceeding: ['completed', 'terminated'],
  completed: ['terminated'],
  terminated: [],
};

export class ClientNonInviteTransaction extends Transaction<ClientNonInviteState> {
  readonly kind = 'client-non-invite' as const;
  private readonly reliable: boolean;

  constructor(
    ctx: TransactionContext,
    id: string,
    callId: string,
    readonly request: SipRequest,
    readonly target: SendTarget,
    private readonly handlers: ClientTransactionHandlers,
  ) {
    super(ctx, id, callId, 'trying', LEGAL, 'terminated');
    this.reliable = isReliable(target.protocol);
  }

  /**
   * §17.1.2.2: "The 'Trying' state is entered when the TU initiates a new
   * client transaction with a request. When entering this state, the client
   * transaction SHOULD set timer F to fire in 64*T1 seconds. The request MUST
   * be passed to the transport layer for transmission. If an unreliable
   * transport is in use, the client transaction MUST set timer E to fire in
   * T1 seconds."
   */
  start(): void {
    this.startTimer('F', this.ctx.values.t1x64, () => this.onTimerF());
    this.transmit(this.request, this.target);
    if (!this.reliable) this.armTimerE(this.ctx.values.t1);
  }

  /**
   * §17.1.2.2: "If timer E fires while still in this state, the timer is
   * reset, but this time with a value of MIN(2*T1, T2). When the timer fires
   * again, it is reset to a MIN(4*T1, T2)." ... "If Timer E fires while in the
   * 'Proceeding' state, the request MUST be passed to the transport layer for
   * retransmission, and Timer E MUST be reset with a value of T2 seconds."
   */
  private armTimerE(interval: number): void {
    this.startTimer('E', interval, () => {
      if (this.state === 'trying') {
        this.retransmit(this.request, this.target);
        this.armTimerE(Math.min(interval * 2, this.ctx.values.t2));
      } else if (this.state === 'proceeding') {
        this.retransmit(this.request, this.target);
        this.armTimerE(this.ctx.values.t2);
      }
    });
  }

  /**
   * §17.1.2.2: "If Timer F fires while the client transaction is still in the
   * 'Trying' state, the client transaction SHOULD inform the TU about the
   * timeout, and then it SHOULD enter the 'Terminated' state." (Likewise in
   * 'Proceeding'.)
   */
  private onTimerF(): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.terminate();
    this.notify('onTimeout', () => this.handlers.onTimeout?.());
  }

  /**
   * §17.1.2.2: "If a provisional response is received while in the 'Trying'
   * state, the response MUST be passed to the TU, and then the client
   * transaction SHOULD move to the 'Proceeding' state. If a final response
   * (status codes 200-699) is received while in the 'Trying' state, the
   * response MUST be passed to the TU, and the client transaction MUST
   * transition to the 'Completed' state." ... "Once the client transaction
   * enters the 'Completed' state, it MUST set Timer K to fire in T4 seconds
   * for unreliable transports, and zero seconds for reliable transports. The
   * 'Completed' state exists to buffer any additional response
   * retransmissions that may be received".
   */
  receiveResponse(response: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    if (response.status < 200) {
      if (this.state === 'trying') this.transition('proceeding');
      this.notify('onProvisional', () => this.handlers.onProvisional?.(response));
      return;
    }
    this.transition('completed');
    this.stopTimer('E');
    this.stopTimer('F');
    this.notify('onFinal', () => this.handlers.onFinal?.(response));
    if (this.isTerminated) return;
    if (this.reliable) this.terminate();
    else this.startTimer('K', this.ctx.values.t4, () => this.terminate());
  }

  /** §17.1.4: "the client transaction SHOULD inform the TU ... and transition to the terminated state." */
  protected onTransportFailure(err: Error): void {
    this.terminate();
    this.notify('onTransportError', () => this.handlers.onTransportError?.(err));
  }
}
