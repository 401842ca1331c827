/**
 * The INVITE server transaction: RFC 3261 §17.2.1 with the Accepted state of
 * RFC 6026 §7.1, plus the UAS core's 2xx retransmission (§13.3.1.4) while in
 * Accepted.
 *
 *   Proceeding --300-699 from TU--> Completed --ACK--> Confirmed --Timer I--> Terminated
 *       |                              \--Timer H (no ACK)-------------------> Terminated
 *       \--------2xx from TU---------> Accepted --Timer L------------------> Terminated
 *
 * 100 (Trying): §17.2.1 requires it "unless [the transaction] knows that the
 * TU will generate a provisional or final response within 200 ms". We send
 * it at once when the transaction is created, as drachtio-server does: the
 * application answers over a network hop, so we never know that it will.
 */
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { InboundSource, SendTarget } from '../transport/types.js';
import type { TransactionContext } from './transaction-base.js';
import { ServerTransactionBase, type RetransmissionOutcome } from './server-transaction-base.js';
import { buildTrying } from './trying-response.js';
import { Uas2xxRetransmitter } from './uas-2xx-retransmitter.js';

export type ServerInviteState = 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

const LEGAL: Readonly<Record<ServerInviteState, readonly ServerInviteState[]>> = {
  proceeding: ['completed', 'accepted', 'terminated'],
  completed: ['confirmed', 'terminated'],
  confirmed: ['terminated'],
  accepted: ['terminated'],
  terminated: [],
};

export class ServerInviteTransaction extends ServerTransactionBase<ServerInviteState> {
  readonly kind = 'server-invite' as const;
  private retransmitter: Uas2xxRetransmitter | undefined;

  constructor(
    ctx: TransactionContext,
    id: string,
    callId: string,
    request: SipRequest,
    source: InboundSource,
    responseTarget: SendTarget,
  ) {
    super(ctx, id, callId, request, source, responseTarget, 'proceeding', LEGAL);
  }

  /** §17.2.1: "the server transaction MUST generate a 100 (Trying) response" (at once; see above). */
  start(): void {
    this.sendResponse(buildTrying(this.request));
  }

  get hasFinalResponse(): boolean {
    return this.state !== 'proceeding';
  }

  protected onResponseFromTu(response: SipResponse): boolean {
    const status = response.status;
    if (this.state === 'proceeding') {
      // §17.2.1: "The TU passes any number of provisional responses to the
      // server transaction. So long as the server transaction is in the
      // 'Proceeding' state, each of these MUST be passed to the transport
      // layer for transmission."
      if (status < 200) {
        this.sendResponse(response);
      } else if (status < 300) {
        this.enterAccepted(response);
      } else {
        this.enterCompleted(response);
      }
      return true;
    }
    // RFC 6026 §7.1: "Any retransmission of the 2xx response passed from the
    // TU to the transaction while in the 'Accepted' state MUST be passed to
    // the transport layer for transmission."
    if (this.state === 'accepted' && status >= 200 && status < 300) {
      this.sendResponse(response);
      return true;
    }
    return false;
  }

  /**
   * RFC 6026 §7.1: "If, while in the 'Proceeding' state, the TU passes a 2xx
   * response to the server transaction, the server transaction MUST pass this
   * response to the transport layer for transmission ... The server
   * transaction MUST then transition to the 'Accepted' state" with Timer L
   * set to 64*T1. The UAS core's §13.3.1.4 retransmission runs alongside.
   */
  private enterAccepted(response: SipResponse): void {
    this.transition('accepted');
    this.sendResponse(response);
    const v = this.ctx.values;
    this.retransmitter = new Uas2xxRetransmitter({
      timers: this.ctx.timers,
      t1: v.t1,
      t2: v.t2,
      giveUpAfter: v.t1x64,
      retransmit: () => this.guard('2xx retransmission', () => this.resendLast()),
      onUnacknowledged: () => {
        this.ctx.logger.warn(
          { callId: this.callId, transaction: this.id, status: response.status },
          '2xx never acknowledged',
        );
        this.notify('on2xxUnacknowledged', () => this.handlers.on2xxUnacknowledged?.());
      },
    });
    this.retransmitter.start();
    // RFC 6026 §7.1: "If Timer L fires while the INVITE server transaction is
    // in the 'Accepted' state, the transaction MUST transition to the
    // 'Terminated' state."
    this.startTimer('L', v.t1x64, () => {
      this.retransmitter?.giveUp();
      this.terminate();
    });
  }

  /**
   * §17.2.1: "While in the 'Proceeding' state, if the TU passes a response
   * with status code from 300 to 699 to the server transaction, the response
   * MUST be passed to the transport layer for transmission, and the state
   * machine MUST enter the 'Completed' state. For unreliable transports,
   * timer G is set to fire in T1 seconds ... When the 'Completed' state is
   * entered, timer H MUST be set to fire in 64*T1 seconds for all transports."
   */
  private enterCompleted(response: SipResponse): void {
    this.transition('completed');
    this.sendResponse(response);
    if (!this.reliable) this.armTimerG(this.ctx.values.t1);
    this.startTimer('H', this.ctx.values.t1x64, () => this.onTimerH());
  }

  /**
   * §17.2.1: "If timer G fires, the response is passed to the transport layer
   * once more for retransmission, and timer G is set to fire in MIN(2*T1, T2)
   * seconds. From then on, when timer G fires, the response is passed to the
   * transport again for transmission, and timer G is reset with a value that
   * doubles, unless that value exceeds T2, in which case it is reset with the
   * value of T2."
   */
  private armTimerG(interval: number): void {
    this.startTimer('G', interval, () => {
      if (this.state !== 'completed') return;
      this.resendLast();
      this.armTimerG(Math.min(interval * 2, this.ctx.values.t2));
    });
  }

  /**
   * §17.2.1: "If timer H fires while in the 'Completed' state, it implies that
   * the ACK was never received. In this case, the server transaction MUST
   * transition to the 'Terminated' state, and MUST indicate to the TU that a
   * transaction failure has occurred."
   */
  private onTimerH(): void {
    if (this.state !== 'completed') return;
    this.ctx.logger.warn(
      { callId: this.callId, transaction: this.id, status: this.lastResponse?.status },
      'no ACK for the final response (Timer H)',
    );
    this.terminate();
    this.notify('onNoAck', () => this.handlers.onNoAck?.());
  }

  receiveRequest(request: SipRequest): RetransmissionOutcome {
    if (request.method === 'ACK') return this.receiveAck();
    // §17.2.1: "If a request retransmission is received while in the
    // 'Proceeding' state, the most recent provisional response that was
    // received from the TU MUST be passed to the transport layer for
    // retransmission." and "while in the 'Completed' state, if a request
    // retransmission is received, the server SHOULD pass the response to the
    // transport for retransmission."
    // RFC 6026 §7.1: "Any retransmissions of the INVITE received while in the
    // 'Accepted' state MUST be absorbed"; Confirmed absorbs them too.
    if (this.state === 'proceeding' || this.state === 'completed') this.resendLast();
    return 'absorbed';
  }

  /**
   * §17.2.1: "If an ACK is received while the server transaction is in the
   * 'Completed' state, the server transaction MUST transition to the
   * 'Confirmed' state. As Timer G is ignored in this state, any
   * retransmissions of the response will cease." ... "When this state is
   * entered, timer I is set to fire in T4 seconds for unreliable transports,
   * and zero seconds for reliable transports." The "purpose of the
   * 'Confirmed' state is to absorb any additional ACK messages".
   * An ACK matching a transaction in Accepted acknowledges a 2xx: it is the
   * dialog's business, not this transaction's.
   */
  private receiveAck(): RetransmissionOutcome {
    if (this.state === 'accepted') return 'ack-2xx';
    if (this.state !== 'completed') return 'absorbed';
    this.transition('confirmed');
    this.stopTimer('G');
    this.stopTimer('H');
    if (this.reliable) this.terminate();
    else this.startTimer('I', this.ctx.values.t4, () => this.terminate());
    return 'absorbed';
  }

  /**
   * The dialog layer matched the ACK for our 2xx (§13.3.1.4): stop
   * retransmitting it. The transaction itself stays in Accepted until Timer L.
   */
  ackReceived(): void {
    this.retransmitter?.ackReceived();
  }

  /** True while the 2xx is being retransmitted, waiting for its ACK. */
  get awaitingAck(): boolean {
    return this.retransmitter?.active ?? false;
  }

  protected override onTerminated(): void {
    this.retransmitter?.stop();
    super.onTerminated();
  }
}
