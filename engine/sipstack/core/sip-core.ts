import type { Logger } from 'pino';
import { parseMessage } from '../message/parser.js';
import { createResponse } from '../message/response.js';
import type { SipMessage } from '../message/sip-message.js';
import { DialogStore } from '../dialog/dialog-store.js';
import { TransactionLayer } from '../transaction/transaction-layer.js';
import { DEFAULT_TIMERS, type TransactionTimers } from '../transaction/transaction-timers.js';
import { TransportLayer, type BoundTransport, type TransportLayerOptions } from '../transport/transport-layer.js';
import type { InboundSource } from '../transport/types.js';
import type { AppConnection } from '../wire/app-connection.js';
import type { WirePayload } from '../wire/wire-message.js';
import { WireServer, type WireHandler } from '../wire/wire-server.js';
import { sendAppResponse } from './app-responses.js';
import { AppRequests } from './app-requests.js';
import type { CoreState, InboundTxn, OutboundTxn } from './core-state.js';
import { LocalAddress } from './local-address.js';
import { NetworkRequests } from './network-requests.js';
import { ProxyCore } from './proxy.js';
import { SUPPORTED_OPTION_TAGS } from './uas-checks.js';
import { OptionsResponder } from '../policy/options-responder.js';
import { ScannerFilter, type ScannerRules } from '../policy/scanner-filter.js';
import type { SessionTimerOptions } from '../session-timer/negotiation.js';
import { SessionTimers } from '../session-timer/session-timers.js';
import { HeapTimerService, systemClock } from '../transaction/timer-service.js';
import { RegisteredFlows } from './registered-flows.js';

export interface SipCoreOptions {
  transports: TransportLayerOptions;
  externalAddress?: string;
  admin: { address: string; port: number; secret: string };
  timers: Partial<TransactionTimers>;
  userAgent: string;
  version: string;
  /** Scanner blocking; see SipServerOptions.spammers. */
  spammers: ScannerRules;
  /** User-Agents whose OPTIONS the server answers itself. */
  optionsAutoRespond: string[];
  /** RFC 4028 session timers (see SipServerOptions.sessionTimers). */
  sessionTimers: SessionTimerOptions;
}

export interface SipCoreStats {
  transactions: number;
  dialogs: number;
  apps: number;
  pendingAppTransactions: number;
  /** Requests from scanners answered 603 (rejected) or dropped (discarded). */
  scanners: { rejected: number; discarded: number };
  /** OPTIONS answered 200 by the server itself. */
  optionsAutoAnswered: number;
  /** Dialogs with a running RFC 4028 session timer. */
  sessionTimers: number;
  /** Contacts registered over a connection (TCP, WebSocket) that requests to them follow. */
  registeredFlows: number;
}

/**
 * The embedded SIP server's core: transports and transactions on the network
 * side, the drachtio wire protocol on the application side, and between them
 * what drachtio-server does: route new requests to applications, keep
 * dialogs, build the messages applications ask for.
 */
export class SipCore implements WireHandler {
  private state?: CoreState;
  private networkRequests?: NetworkRequests;
  private appRequests?: AppRequests;
  private proxy?: ProxyCore;
  readonly transports: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly wire: WireServer;
  readonly dialogs = new DialogStore();
  private readonly inbound = new Map<string, InboundTxn>();
  private readonly outbound = new Map<string, OutboundTxn>();
  private readonly apps = new Map<string, AppConnection>();
  private readonly scanners: ScannerFilter;
  private readonly options: OptionsResponder;
  /** One scheduler for transaction and session timers. */
  private readonly timerService: HeapTimerService;
  private sessionTimers?: SessionTimers;
  readonly flows = new RegisteredFlows();

  constructor(
    private readonly opts: SipCoreOptions,
    private readonly log: Logger,
  ) {
    this.scanners = new ScannerFilter(opts.spammers);
    this.options = new OptionsResponder(opts.optionsAutoRespond, opts.userAgent, SUPPORTED_OPTION_TAGS);
    this.transports = new TransportLayer({
      // A connection attempt ends before the transaction's Timer B (64*T1) would: the application hears 503, not 408.
      connectTimeoutMs: 32 * (opts.timers.t1 ?? DEFAULT_TIMERS.t1),
      ...opts.transports,
      keepConnection: (id) => this.flows.holds(id),
    }, {
      message: (m, source) => this.onNetworkMessage(m, source),
      invalid: (outcome, source) => {
        log.info({ remote: source.remote, protocol: source.protocol, error: outcome.error, status: outcome.status }, 'invalid SIP message');
        if (outcome.drop || !outcome.request || outcome.request.method === 'ACK') return;
        this.networkRequests?.replyStateless(outcome.request, source, outcome.status ?? 400, outcome.error);
      },
      warning: (text, detail) => log.warn(detail, text),
      connectionClosed: (id) => this.flows.dropConnection(id),
    });
    this.timerService = new HeapTimerService(systemClock, (err) => log.error({ err }, 'SIP timer callback threw'));
    this.transactions = new TransactionLayer({ sender: this.transports, timers: this.timerService, config: opts.timers, logger: log });
    this.wire = new WireServer(
      {
        ...opts.admin,
        hostports: () => this.state?.local.hostports() ?? '',
        version: opts.version,
        log: (level, text, detail) => log[level](detail ?? {}, text),
      },
      this,
    );
  }

  async start(): Promise<{ sip: BoundTransport[]; admin: { address: string; port: number } }> {
    const sip = await this.transports.start();
    const local = new LocalAddress(sip, this.opts.externalAddress);
    const sessionTimers = new SessionTimers(this.opts.sessionTimers, this.timerService, () => this.requireState());
    this.sessionTimers = sessionTimers;
    this.dialogs.onDelete = (d) => sessionTimers.stop(d);
    this.state = {
      log: this.log,
      transports: this.transports,
      transactions: this.transactions,
      wire: this.wire,
      dialogs: this.dialogs,
      local,
      inbound: this.inbound,
      inboundByTx: new WeakMap(),
      outbound: this.outbound,
      apps: this.apps,
      userAgent: this.opts.userAgent,
      scanners: this.scanners,
      options: this.options,
      sessionTimers,
      flows: this.flows,
    };
    this.proxy = new ProxyCore(this.state);
    this.networkRequests = new NetworkRequests(this.state, this.proxy);
    this.appRequests = new AppRequests(this.state);
    const admin = await this.wire.start();
    return { sip, admin };
  }

  async stop(): Promise<void> {
    await this.wire.stop();
    this.transactions.destroy();
    this.timerService.stop();
    await this.transports.stop();
    this.flows.destroy();
  }

  stats(): SipCoreStats {
    const c = this.transactions.counts();
    return {
      transactions: c.client + c.server,
      dialogs: this.dialogs.size,
      apps: this.wire.connectedApps,
      pendingAppTransactions: this.inbound.size + this.outbound.size,
      scanners: { rejected: this.scanners.rejected, discarded: this.scanners.discarded },
      optionsAutoAnswered: this.options.answered,
      sessionTimers: this.sessionTimers?.size ?? 0,
      registeredFlows: this.flows.size,
    };
  }

  // --- network side ---------------------------------------------------------

  private onNetworkMessage(message: SipMessage, source: InboundSource): void {
    try {
      if (message.kind === 'request') this.networkRequests?.handle(message, source);
      else {
        const r = this.transactions.receiveResponse(message, source);
        if (r.kind === 'stray') this.appRequests?.responses.stray(message);
      }
    } catch (err) {
      this.log.error({ err, callId: message.headers.get('call-id') }, 'failed to handle SIP message');
    }
  }

  // --- application side -----------------------------------------------------

  onAppSip(app: AppConnection, msg: WirePayload): void {
    this.apps.set(app.id, app);
    const parsed = parseMessage(Buffer.from(msg.sip, 'utf8'), { datagram: true, validate: false, maxBytes: 1 << 20, maxHeaders: 1000 });
    if (!parsed.ok) {
      app.respond(msg.msgId, false, `invalid SIP message: ${parsed.error}`);
      return;
    }
    const m = parsed.message;
    if (m.kind === 'response') {
      sendAppResponse(this.requireState(), app, msg, m);
      return;
    }
    this.appRequests?.handle(app, msg, m).catch((err: Error) => {
      this.log.error({ err }, 'failed to send request for application');
      app.respond(msg.msgId, false, err.message);
    });
  }

  onAppProxy(app: AppConnection, msg: WirePayload): void {
    this.apps.set(app.id, app);
    const parsed = parseMessage(Buffer.from(msg.sip, 'utf8'), { datagram: true, validate: false, maxBytes: 1 << 20, maxHeaders: 1000 });
    const template = parsed.ok && parsed.message.kind === 'request' ? parsed.message : undefined;
    this.proxy?.start(app, msg, template);
  }

  onAppClosed(app: AppConnection): void {
    this.apps.delete(app.id);
    // Requests the application never answered are answered for it.
    for (const inbound of this.inbound.values()) {
      if (inbound.app !== app || inbound.tx.hasFinalResponse || inbound.request.method === 'ACK') continue;
      inbound.tx.respond(createResponse(inbound.request, 503, 'Service Unavailable', { toTag: inbound.toTag }));
    }
  }

  private requireState(): CoreState {
    if (!this.state) throw new Error('SIP core is not started');
    return this.state;
  }
}
