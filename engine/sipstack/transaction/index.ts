/** The SIP transaction layer (RFC 3261 §17, RFC 6026): public surface. */
export {
  TransactionLayer,
  newBranch,
  type CancelOptions,
  type CancelOutcome,
  type ClientTransaction,
  type ReceiveRequestResult,
  type ReceiveResponseResult,
  type ServerTransaction,
  type TransactionCounts,
  type TransactionLayerOptions,
} from './transaction-layer.js';
export { ClientInviteTransaction, type ClientInviteState } from './client-invite.js';
export { ClientNonInviteTransaction, type ClientNonInviteState } from './client-non-invite.js';
export { ServerInviteTransaction, type ServerInviteState } from './server-invite.js';
export { ServerNonInviteTransaction, type ServerNonInviteState } from './server-non-invite.js';
export type { ClientTransactionHandlers } from './client-handlers.js';
export type { ServerTransactionHandlers } from './server-transaction-base.js';
export { IllegalTransitionError, type TransactionLogger } from './transaction-base.js';
export { HeapTimerService, ManualClock, systemClock, type Clock, type TimerHandle, type TimerService } from './timer-service.js';
export { DEFAULT_TIMERS, resolveTimers, type TimerValues, type TransactionTimers } from './transaction-timers.js';
export { buildCancel, buildNon2xxAck } from './ack-builder.js';
export { responseTarget } from './response-target.js';
export { Uas2xxRetransmitter } from './uas-2xx-retransmitter.js';
