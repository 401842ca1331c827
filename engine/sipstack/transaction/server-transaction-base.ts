/**
 * What both server transaction kinds share (RFC 3261 §17.2): the request that
 * created them, where responses go (§18.2.2), the transaction user's
 * handlers, and the last response, kept to answer retransmitted requests.
 */
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { InboundSource, SendTarget } from '../transport/types.js';
import { isReliable } from '../transport/types.js';
import { tagOf } from './message-fields.js';
import { Transaction, type TransactionContext } from './transaction-base.js';

/** What a server transaction tells its transaction user. */
export interface ServerTransactionHandlers {
  /** Timer H fired: the non-2xx final response was never acknowledged (§17.2.1). */
  onNoAck?(): void;
  /** The 2xx was retransmitted for 64*T1 without an ACK (§13.3.1.4): end the session with BYE. */
  on2xxUnacknowledged?(): void;
  /** A response could not be sent (§17.2.4); the transaction has terminated. */
  onTransportError?(err: Error): void;
  /** The transaction reached Terminated, for whatever reason. */
  onTerminated?(): void;
}

/** What the layer does with a request matched to an existing transaction. */
export type RetransmissionOutcome = 'absorbed' | 'ack-2xx';

export abstract class ServerTransactionBase<S extends string> extends Transaction<S> {
  protected handlers: ServerTransactionHandlers = {};
  protected readonly reliable: boolean;
  /** The most recent response passed to the transport. */
  protected lastResponse: SipResponse | undefined;
  /** To tag of the final response, for RFC 2543 ACK matching (§17.2.3). */
  finalToTag: string | undefined;

  protected constructor(
    ctx: TransactionContext,
    id: string,
    callId: string,
    readonly request: SipRequest,
    readonly source: InboundSource,
    /** Where responses go (§18.2.2), worked out once from the top Via and the source. */
    readonly responseTarget: SendTarget,
    initial: S,
    legal: Readonly<Record<S, readonly S[]>>,
  ) {
    super(ctx, id, callId, initial, legal, 'terminated' as S);
    this.reliable = isReliable(source.protocol);
  }

  /** Adds or replaces handlers. */
  setHandlers(handlers: ServerTransactionHandlers): this {
    this.handlers = { ...this.handlers, ...handlers };
    return this;
  }

  /**
   * The TU's response: sent to the response target and fed to the state
   * machine. Returns false (and logs) when the state does not allow it, e.g.
   * a second final response or one after the transaction ended.
   */
  respond(response: SipResponse): boolean {
    const status = response.status;
    if (!Number.isInteger(status) || status < 100 || status > 699) {
      this.ctx.logger.warn({ callId: this.callId, transaction: this.id, status }, 'response not sent: not a SIP status code');
      return false;
    }
    if (this.isTerminated) {
      this.ctx.logger.info(
        { callId: this.callId, transaction: this.id, status },
        'response not sent: the server transaction has terminated',
      );
      return false;
    }
    const sent = this.guarded('respond', () => this.onResponseFromTu(response), false);
    if (!sent && !this.isTerminated) {
      this.ctx.logger.warn(
        { callId: this.callId, transaction: this.id, state: this.state, status },
        'response not sent: the server transaction does not accept it in this state',
      );
    }
    return sent;
  }

  /** The state machine's part of respond(); true when the response was sent. */
  protected abstract onResponseFromTu(response: SipResponse): boolean;

  /** A retransmission of the creating request, or (INVITE) an ACK, matched by the layer. */
  abstract receiveRequest(request: SipRequest): RetransmissionOutcome;

  /** True once a final response has been sent. */
  abstract get hasFinalResponse(): boolean;

  protected sendResponse(response: SipResponse): void {
    this.lastResponse = response;
    if (response.status >= 200) this.finalToTag = tagOf(response.headers.get('to'));
    this.transmit(response, this.responseTarget);
  }

  protected resendLast(): void {
    if (this.lastResponse) this.retransmit(this.lastResponse, this.responseTarget);
  }

  /** §17.2.4: the TU is told and the transaction ends. */
  protected onTransportFailure(err: Error): void {
    this.terminate();
    this.notify('onTransportError', () => this.handlers.onTransportError?.(err));
  }

  protected override onTerminated(): void {
    this.notify('onTerminated', () => this.handlers.onTerminated?.());
  }
}
