/**
 * The INVITE client transaction: RFC 3261 §17.1.1 with the Accepted state of
 * RFC 6026 §7.2 (a 2xx no longer ends the transaction at once).
 *
 *            INVITE sent
 *   Calling --1xx--> Proceeding
 *      |  \              |  \
 *      |   \-300-699-----+---> Completed --Timer D--> Terminated
 *      \------2xx--------+---> Accepted  --Timer M--> Terminated
 *   Timer B / transport error ------------------------> Terminated
 */
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import { isReliable, type SendTarget } from '../transport/types.js';
import { buildNon2xxAck } from './ack-builder.js';
import type { ClientTransactionHandlers } from './client-handlers.js';
import { Transaction, type TransactionContext } from './transaction-base.js';

export type ClientInviteState = 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

const LEGAL: Readonly<Record<ClientInviteState, readonly ClientInviteState[]>> = {
  calling: ['proceeding', 'completed', 'accepted', 'terminated'],
  proceeding: ['completed', 'accepted', 'terminated'],
  completed: ['terminated'],
  accepted: ['terminated'],
  terminated: [],
};

export class ClientInviteTransaction extends Transaction<ClientInviteState> {
  readonly kind = 'client-invite' as const;
  private readonly reliable: boolean;
  /** The ACK for the non-2xx final response, kept to answer its retransmissions. */
  private ack: SipRequest | undefined;
  /** A CANCEL waiting for the first provisional response (§9.1). */
  private heldCancel: (() => void) | undefined;

  constructor(
    ctx: TransactionContext,
    id: string,
    callId: string,
    readonly request: SipRequest,
    readonly target: SendTarget,
    private readonly handlers: ClientTransactionHandlers,
  ) {
    super(ctx, id, callId, 'calling', LEGAL, 'terminated');
    this.reliable = isReliable(target.protocol);
  }

  /**
   * §17.1.1.2: "the client transaction MUST pass the request to the transport
   * layer for transmission. If an unreliable transport is being used, the
   * client transaction MUST start timer A with a value of T1. ... For any
   * transport, the client transaction MUST start timer B with a value of 64*T1."
   */
  start(): void {
    this.transmit(this.request, this.target);
    if (!this.reliable) this.armTimerA(this.ctx.values.t1);
    this.startTimer('B', this.ctx.values.t1x64, () => this.onTimerB());
  }

  /**
   * §17.1.1.2: "When timer A fires, the client transaction MUST retransmit the
   * request ... and MUST reset the timer with a value of 2*T1. ... When timer
   * A fires 2*T1 seconds later, the request MUST be retransmitted again ...
   * The retransmissions MUST only be done while the client transaction is in
   * the 'calling' state." (Timer A doubles without a cap.)
   */
  private armTimerA(interval: number): void {
    this.startTimer('A', interval, () => {
      if (this.state !== 'calling') return;
      this.retransmit(this.request, this.target);
      this.armTimerA(interval * 2);
    });
  }

  /**
   * §17.1.1.2: "If the client transaction is still in the 'Calling' state
   * when timer B fires, the client transaction SHOULD inform the TU that a
   * timeout has occurred. The client transaction MUST NOT generate an ACK."
   */
  private onTimerB(): void {
    if (this.state !== 'calling') return;
    this.heldCancel = undefined;
    this.terminate();
    this.notify('onTimeout', () => this.handlers.onTimeout?.());
  }

  /** A response matched to this transaction by the layer (§17.1.3). */
  receiveResponse(response: SipResponse): void {
    const status = response.status;
    if (status < 200) this.onProvisional(response);
    else if (status < 300) this.on2xx(response);
    else this.onNon2xxFinal(response);
  }

  /**
   * §17.1.1.2: "If the client transaction receives a provisional response
   * while in the 'Calling' state, it transitions to the 'Proceeding' state.
   * In the 'Proceeding' state, the client transaction SHOULD NOT retransmit
   * the request any longer. Furthermore, the provisional response MUST be
   * passed to the TU. Any further provisional responses MUST be passed up to
   * the TU while in the 'Proceeding' state."
   */
  private onProvisional(response: SipResponse): void {
    if (this.state === 'calling') {
      this.transition('proceeding');
      this.stopTimer('A');
      this.stopTimer('B');
      this.notify('onProvisional', () => this.handlers.onProvisional?.(response));
      const cancel = this.heldCancel;
      this.heldCancel = undefined;
      if (cancel && !this.isTerminated) cancel();
    } else if (this.state === 'proceeding') {
      this.notify('onProvisional', () => this.handlers.onProvisional?.(response));
    }
    // Completed / Accepted: a late provisional response means nothing any more.
  }

  /**
   * RFC 6026 §8.4 (replacing §17.1.1.2's "2xx ends the transaction"): "If a
   * 2xx response is received while the client INVITE state machine is in the
   * 'Calling' or 'Proceeding' states, it MUST transition to the 'Accepted'
   * state, pass the 2xx response to the TU, and set Timer M to 64*T1." and
   * "any 2xx responses that match this client transaction and that are
   * received while in the 'Accepted' state MUST be passed up to the TU."
   */
  private on2xx(response: SipResponse): void {
    if (this.state === 'calling' || this.state === 'proceeding') {
      this.transition('accepted');
      this.heldCancel = undefined;
      this.stopTimer('A');
      this.stopTimer('B');
      this.stopTimer('cancel-expiry');
      // RFC 6026 §8.4: "If Timer M fires while the client INVITE state machine
      // is in the 'Accepted' state, the state machine MUST transition to the
      // 'Terminated' state."
      this.startTimer('M', this.ctx.values.t1x64, () => this.terminate());
      this.notify('onFinal', () => this.handlers.onFinal?.(response));
    } else if (this.state === 'accepted') {
      this.notify('onFinal', () => this.handlers.onFinal?.(response));
    }
  }

  /**
   * §17.1.1.2: "When in either the 'Calling' or 'Proceeding' states, reception
   * of a response with status code from 300-699 MUST cause the client
   * transaction to transition to 'Completed'. The client transaction MUST pass
   * the received response up to the TU, and the client transaction MUST
   * generate an ACK request ... The client transaction SHOULD start timer D
   * when it enters the 'Completed' state, with a value of at least 32 seconds
   * for unreliable transports, and a value of zero seconds for reliable
   * transports." and "Any retransmissions of the final response that are
   * received while in the 'Completed' state MUST cause the ACK to be re-passed
   * to the transport layer for retransmission, but the newly received response
   * MUST NOT be passed up to the TU."
   */
  private onNon2xxFinal(response: SipResponse): void {
    if (this.state === 'completed') {
      if (this.ack) this.transmit(this.ack, this.target);
      return;
    }
    if (this.state !== 'calling' && this.state !== 'proceeding') return;
    this.transition('completed');
    this.heldCancel = undefined;
    this.stopTimer('A');
    this.stopTimer('B');
    this.stopTimer('cancel-expiry');
    // §17.1.1.3: "The ACK MUST be sent to the same address, port, and
    // transport to which the original request was sent."
    this.ack = buildNon2xxAck(this.request, response);
    this.transmit(this.ack, this.target);
    this.notify('onFinal', () => this.handlers.onFinal?.(response));
    if (this.isTerminated) return;
    // "If timer D fires while the client transaction is in the 'Completed'
    // state, the client transaction MUST move to the terminated state."
    if (this.reliable) this.terminate();
    else this.startTimer('D', this.ctx.values.d, () => this.terminate());
  }

  /**
   * §9.1: "If no provisional response has been received, the CANCEL request
   * MUST NOT be sent; rather, the client MUST wait for the arrival of a
   * provisional response before sending the request. If the original request
   * has generated a final response, the CANCEL SHOULD NOT be sent".
   * Returns what happened to `send`: called now, held, or refused.
   */
  scheduleCancel(send: () => void): 'sent' | 'held' | 'too-late' {
    if (this.state === 'proceeding') {
      send();
      return 'sent';
    }
    if (this.state === 'calling') {
      this.heldCancel = send;
      return 'held';
    }
    return 'too-late';
  }

  /** True while a CANCEL waits for the first provisional response. */
  get cancelHeld(): boolean {
    return this.heldCancel !== undefined;
  }

  /**
   * §9.1: "If there is no final response for the original request in 64*T1
   * seconds ..., the client SHOULD then consider the original transaction
   * cancelled and SHOULD destroy the client transaction handling the original
   * request." Armed when the CANCEL goes out; the TU hears a timeout.
   */
  cancelSent(): void {
    if (this.state !== 'calling' && this.state !== 'proceeding') return;
    this.startTimer('cancel-expiry', this.ctx.values.t1x64, () => {
      if (this.state !== 'calling' && this.state !== 'proceeding') return;
      this.terminate();
      this.notify('onTimeout', () => this.handlers.onTimeout?.());
    });
  }

  /** §17.1.4: "the client transaction SHOULD inform the TU ... and transition to the terminated state." */
  protected onTransportFailure(err: Error): void {
    this.heldCancel = undefined;
    this.terminate();
    this.notify('onTransportError', () => this.handlers.onTransportError?.(err));
  }

  protected override onTerminated(): void {
    this.heldCancel = undefined;
  }
}
