/**
 * The transaction layer (RFC 3261 §17): files every client and server
 * transaction under its matching key, hands requests and responses from the
 * transports to the right one, and creates new ones for the core.
 *
 * Design: calls in, return values out. The core calls receiveRequest /
 * receiveResponse with each parsed message and acts on the returned outcome;
 * transactions report later events (timeouts, final responses, transport
 * errors) through the handlers the core gave them. Nothing here throws on
 * network input: an internal defect is logged, the transaction concerned is
 * terminated, and everything else keeps working.
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { InboundSource, MessageSender, SendTarget } from '../transport/types.js';
import { buildCancel } from './ack-builder.js';
import type { ClientTransactionHandlers } from './client-handlers.js';
import { ClientInviteTransaction } from './client-invite.js';
import { ClientNonInviteTransaction } from './client-non-invite.js';
import { MAGIC_COOKIE, rfc3261Branch, tagOf, topVia } from './message-fields.js';
import { responseTarget } from './response-target.js';
import { ServerInviteTransaction } from './server-invite.js';
import { ServerNonInviteTransaction } from './server-non-invite.js';
import { HeapTimerService, systemClock, type TimerService } from './timer-service.js';
import type { Transaction, TransactionContext, TransactionLogger, TransactionTallies } from './transaction-base.js';
import { clientKey, responseMatchKey, serverMatchKey, type ServerMatchKey } from './transaction-keys.js';
import { resolveTimers, type TimerValues, type TransactionTimers } from './transaction-timers.js';

export { ClientInviteTransaction, ClientNonInviteTransaction, ServerInviteTransaction, ServerNonInviteTransaction };
export type { ClientTransactionHandlers } from './client-handlers.js';
export type { ServerTransactionHandlers } from './server-transaction-base.js';
export type { TransactionTimers } from './transaction-timers.js';
export type { TransactionTallies } from './transaction-base.js';

export type ServerTransaction = ServerInviteTransaction | ServerNonInviteTransaction;
export type ClientTransaction = ClientInviteTransaction | ClientNonInviteTransaction;

/** What became of a request handed to receiveRequest. */
export type ReceiveRequestResult =
  /** A new request: the core (TU) must respond through `tx`. An INVITE has already had 100 Trying. */
  | { kind: 'new'; tx: ServerTransaction }
  /** A retransmission, or an ACK for a non-2xx final response: handled here, nothing for the core. */
  | { kind: 'absorbed'; tx: ServerTransaction }
  /** An ACK that is not for a non-2xx response: the dialog layer's (§17.2.3, §13.3.1.4). */
  | { kind: 'ack-2xx'; tx?: ServerInviteTransaction }
  /** A CANCEL for the INVITE transaction `tx`; respond to the CANCEL through `cancelTx` (§9.2). */
  | { kind: 'cancel'; tx: ServerInviteTransaction; cancelTx: ServerNonInviteTransaction }
  /** A CANCEL that matches no INVITE: §9.2 says respond 481 through `cancelTx`. */
  | { kind: 'no-transaction-for-cancel'; cancelTx: ServerNonInviteTransaction }
  /** Cannot be matched to any transaction (no usable Via, CSeq or Call-ID): answer 400 statelessly or drop. */
  | { kind: 'invalid'; reason: string };

/** What became of a response handed to receiveResponse. */
export type ReceiveResponseResult =
  | { kind: 'matched'; tx: ClientTransaction }
  /**
   * No transaction: §17.1.3 / §18.1.2 say to pass it to the core; a 2xx to
   * INVITE here is a retransmission after Timer M for the dialog layer.
   */
  | { kind: 'stray'; reason: string };

/**
 * sent: the CANCEL went out; held: it waits for a provisional response;
 * too-late: the INVITE already has a final response (nothing sent);
 * already-cancelled: a CANCEL was requested before; not-invite: §9.1 only
 * cancels INVITE ("SHOULD NOT be sent" for other methods).
 */
export type CancelOutcome = 'sent' | 'held' | 'too-late' | 'already-cancelled' | 'not-invite';

export interface CancelOptions {
  /** Extra header fields for the CANCEL, e.g. Reason (RFC 3326). */
  headers?: ReadonlyArray<readonly [string, string]>;
  /** Responses to the CANCEL itself. */
  handlers?: ClientTransactionHandlers;
}

export interface TransactionLayerOptions {
  sender: MessageSender;
  /** Shared scheduler; one is created (and owned) when not given. */
  timers?: TimerService;
  config?: Partial<TransactionTimers>;
  logger?: TransactionLogger;
}

export interface TransactionCounts {
  client: number;
  server: number;
  /** Timers pending in the scheduler (all of them, when it is shared). */
  timers: number;
}

/** A fresh RFC 3261 branch: the magic cookie and 128 random bits (§8.1.1.7). */
export function newBranch(): string {
  return MAGIC_COOKIE + randomUUID().replaceAll('-', '');
}

export class TransactionLayer {
  readonly timerValues: TimerValues;
  private readonly timers: TimerService;
  private readonly ownsTimers: boolean;
  private readonly logger: TransactionLogger;
  private readonly ctx: TransactionContext;
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly cancelsRequested = new WeakSet<ClientInviteTransaction>();
  /** Transactions created and retransmissions since start, for metrics. */
  readonly tallies: TransactionTallies = { clientCreated: 0, serverCreated: 0, retransmissionsSent: 0, retransmissionsReceived: 0 };

  constructor(opts: TransactionLayerOptions) {
    this.timerValues = resolveTimers(opts.config);
    this.logger = opts.logger ?? pino({ name: 'sip-transactions' });
    this.ownsTimers = opts.timers === undefined;
    this.timers =
      opts.timers ??
      new HeapTimerService(systemClock, (err) => this.logger.error({ err }, 'SIP timer callback threw'));
    this.ctx = {
      sender: opts.sender,
      timers: this.timers,
      values: this.timerValues,
      logger: this.logger,
      terminated: (tx) => this.forget(tx),
      tallies: this.tallies,
    };
  }

  newBranch(): string {
    return newBranch();
  }

  // --- server side -------------------------------------------------------

  /** Matches a request from the network to a server transaction or creates one (§17.2.3). */
  receiveRequest(request: SipRequest, source: InboundSource): ReceiveRequestResult {
    try {
      return this.matchRequest(request, source);
    } catch (err) {
      this.logger.error(
        { err, callId: request.headers.get('call-id'), method: request.method },
        'internal error while matching a request to a transaction',
      );
      return { kind: 'invalid', reason: 'internal error' };
    }
  }

  private matchRequest(request: SipRequest, source: InboundSource): ReceiveRequestResult {
    const keyed = serverMatchKey(request);
    if (!keyed.ok) return { kind: 'invalid', reason: keyed.reason };
    const match = keyed.match;
    const existing = this.findServer(match, request.method === 'ACK', match.key);

    if (existing) {
      if (request.method !== 'ACK') this.tallies.retransmissionsReceived++;
      const outcome = existing.guarded('retransmission', () => existing.receiveRequest(request), 'absorbed');
      if (outcome === 'ack-2xx' && existing instanceof ServerInviteTransaction) return { kind: 'ack-2xx', tx: existing };
      return { kind: 'absorbed', tx: existing };
    }
    // An ACK never creates a transaction; one matching nothing acknowledges a 2xx.
    if (request.method === 'ACK') return { kind: 'ack-2xx' };

    const tx = this.createServer(request, source, match);
    if (request.method !== 'CANCEL') return { kind: 'new', tx };
    const cancelTx = tx as ServerNonInviteTransaction;
    const invite = this.findServer(match, false, match.inviteKey);
    if (invite instanceof ServerInviteTransaction) return { kind: 'cancel', tx: invite, cancelTx };
    return { kind: 'no-transaction-for-cancel', cancelTx };
  }

  /**
   * Looks a key up; RFC 2543 matches also compare To tags: a request's To tag
   * must equal that of the creating request, an ACK's that of our final
   * response, a CANCEL's that of the INVITE (§17.2.3, §9.2).
   */
  private findServer(match: ServerMatchKey, isAck: boolean, key: string): ServerTransaction | undefined {
    const tx = this.servers.get(key);
    if (!tx || match.style === 'rfc3261') return tx;
    const wanted = match.toTag;
    if (isAck) {
      const ours = tx.finalToTag ?? tagOfRequest(tx.request);
      return ours === undefined || ours === wanted ? tx : undefined;
    }
    return tagOfRequest(tx.request) === wanted ? tx : undefined;
  }

  private createServer(request: SipRequest, source: InboundSource, match: ServerMatchKey): ServerTransaction {
    const target = responseTarget(match.via, source);
    const callId = request.headers.get('call-id') ?? '';
    const tx =
      request.method === 'INVITE'
        ? new ServerInviteTransaction(this.ctx, match.key, callId, request, source, target)
        : new ServerNonInviteTransaction(this.ctx, match.key, callId, request, source, target);
    this.servers.set(match.key, tx);
    this.tallies.serverCreated++;
    tx.guard('start', () => tx.start());
    return tx;
  }

  // --- client side -------------------------------------------------------

  /**
   * Starts a client transaction for `request` (which must carry a top Via
   * with a unique RFC 3261 branch, see newBranch()) towards `target`.
   * Throws when the request cannot start a transaction: that is a defect of
   * the caller, not of the network.
   */
  sendRequest(request: SipRequest, target: SendTarget, handlers: ClientTransactionHandlers = {}): ClientTransaction {
    if (request.method === 'ACK') throw new Error('ACK is sent without a client transaction (§17.1.1.3, §13.2.2.4)');
    const via = topVia(request.headers);
    const branch = via && rfc3261Branch(via);
    if (!branch) throw new Error(`${request.method} needs a top Via with a ${MAGIC_COOKIE} branch to start a client transaction`);
    const key = clientKey(branch, request.method);
    if (this.clients.has(key)) throw new Error(`a client transaction with branch ${branch} and method ${request.method} already exists`);
    const callId = request.headers.get('call-id') ?? '';
    const tx =
      request.method === 'INVITE'
        ? new ClientInviteTransaction(this.ctx, key, callId, request, target, handlers)
        : new ClientNonInviteTransaction(this.ctx, key, callId, request, target, handlers);
    this.clients.set(key, tx);
    this.tallies.clientCreated++;
    tx.guard('start', () => tx.start());
    return tx;
  }

  /** Matches a response from the network to its client transaction (§17.1.3). */
  receiveResponse(response: SipResponse, _source?: InboundSource): ReceiveResponseResult {
    try {
      const keyed = responseMatchKey(response);
      if (!keyed.ok) return { kind: 'stray', reason: keyed.reason };
      const tx = this.clients.get(keyed.key);
      if (!tx) return { kind: 'stray', reason: 'no matching transaction' };
      tx.guard('response', () => tx.receiveResponse(response));
      return { kind: 'matched', tx };
    } catch (err) {
      this.logger.error(
        { err, callId: response.headers.get('call-id'), status: response.status },
        'internal error while matching a response to a transaction',
      );
      return { kind: 'stray', reason: 'internal error' };
    }
  }

  /**
   * Cancels a pending client INVITE (§9.1): the CANCEL copies Request-URI,
   * Call-ID, To, From, the CSeq number and the top Via of the INVITE, goes to
   * the same target in a client transaction of its own, and is sent only once
   * a provisional response has arrived. Throws if the CANCEL cannot be built.
   */
  cancel(invite: ClientTransaction, opts: CancelOptions = {}): CancelOutcome {
    if (!(invite instanceof ClientInviteTransaction)) return 'not-invite';
    if (this.cancelsRequested.has(invite)) return 'already-cancelled';
    if (invite.isTerminated) return 'too-late';
    const cancel = buildCancel(invite.request, opts.headers);
    const send = (): void => {
      if (this.clients.has(clientKey(inviteBranch(invite), 'CANCEL'))) return;
      this.sendRequest(cancel, invite.target, opts.handlers);
      invite.cancelSent();
    };
    const outcome = invite.scheduleCancel(send);
    if (outcome !== 'too-late') this.cancelsRequested.add(invite);
    return outcome;
  }

  // --- housekeeping ------------------------------------------------------

  /** Live transactions and pending timers, for leak checks and metrics. */
  counts(): TransactionCounts {
    return { client: this.clients.size, server: this.servers.size, timers: this.timers.size };
  }

  /** Terminates every transaction (without telling their users) and stops an owned scheduler. */
  destroy(): void {
    const all: Transaction<string>[] = [...this.clients.values(), ...this.servers.values()];
    for (const tx of all) tx.guard('destroy', () => tx.abandon());
    this.clients.clear();
    this.servers.clear();
    if (this.ownsTimers) this.timers.stop();
  }

  private forget(tx: Transaction<string>): void {
    const map: Map<string, Transaction<string>> =
      tx.kind === 'client-invite' || tx.kind === 'client-non-invite' ? this.clients : this.servers;
    if (map.get(tx.id) === tx) map.delete(tx.id);
  }
}

function tagOfRequest(request: SipRequest): string | undefined {
  return tagOf(request.headers.get('to'));
}

function inviteBranch(invite: ClientInviteTransaction): string {
  const via = topVia(invite.request.headers);
  return (via && rfc3261Branch(via)) ?? '';
}
