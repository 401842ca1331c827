import type { Logger } from 'pino';
import type { SipRequest } from '../message/sip-message.js';
import type { DialogStore } from '../dialog/dialog-store.js';
import type { ClientTransaction, ServerTransaction, TransactionLayer } from '../transaction/transaction-layer.js';
import type { TransportLayer } from '../transport/transport-layer.js';
import type { InboundSource, SendTarget } from '../transport/types.js';
import type { AppConnection } from '../wire/app-connection.js';
import type { WireServer } from '../wire/wire-server.js';
import type { LocalAddress } from './local-address.js';
import type { Dialog } from '../dialog/dialog.js';
import type { OptionsResponder } from '../policy/options-responder.js';
import type { ScannerFilter } from '../policy/scanner-filter.js';
import type { SessionTimers } from '../session-timer/session-timers.js';
import type { RegisteredFlows } from './registered-flows.js';

/** A request from the network that an application answers (or has answered). */
export interface InboundTxn {
  /** drachtio transaction id, known to the application. */
  id: string;
  tx: ServerTransaction;
  request: SipRequest;
  source: InboundSource;
  app?: AppConnection;
  /** Our To tag for the responses of a dialog-creating request, the same on every response. */
  toTag?: string;
  /** The dialog an in-dialog request arrived in, or the one its 2xx created. */
  dialog?: Dialog;
}

/** A request an application sent, waiting for its final response. */
export interface OutboundTxn {
  id: string;
  /** Set once the client transaction has been started. */
  tx?: ClientTransaction;
  request: SipRequest;
  app: AppConnection;
  target: SendTarget;
  /** Set for requests sent inside a dialog. */
  dialog?: Dialog;
}

/** What the handlers of the core share. */
export interface CoreState {
  readonly log: Logger;
  readonly transports: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly wire: WireServer;
  readonly dialogs: DialogStore;
  readonly local: LocalAddress;
  readonly inbound: Map<string, InboundTxn>;
  /** The same, found by server transaction (for CANCEL). */
  readonly inboundByTx: WeakMap<ServerTransaction, InboundTxn>;
  readonly outbound: Map<string, OutboundTxn>;
  /** Application connections by id (to find a dialog's owner). */
  readonly apps: Map<string, AppConnection>;
  readonly userAgent: string;
  /** Requests from scanners, answered 603 or dropped before any application sees them. */
  readonly scanners: ScannerFilter;
  /** OPTIONS keep-alives the server answers itself. */
  readonly options: OptionsResponder;
  /** RFC 4028 session timers of the dialogs. */
  readonly sessionTimers: SessionTimers;
  /** Contacts registered over a connection, and the connection that reaches each. */
  readonly flows: RegisteredFlows;
}
