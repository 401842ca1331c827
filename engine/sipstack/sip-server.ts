import type { Logger } from 'pino';
import { resolveSipServerOptions, type SipServerOptions, type SipServerOptionsInput } from '../../config/sip-server-options.js';
import { silentLogger } from '../logger.js';
import { packageVersion } from '../version.js';
import { SipCore, type SipCoreStats } from './core/sip-core.js';
import type { BoundTransport, ListenSpec } from './transport/transport-layer.js';
import type { MessageCounters } from './transport/message-counters.js';
import type { TransactionTallies } from './transaction/transaction-layer.js';

/** Counts since start, for metrics. */
export interface SipServerCounters {
  /** Messages received (parsed) and sent, by method and response class. */
  messages: MessageCounters;
  transactions: Readonly<TransactionTallies>;
}

export interface SipServerInfo {
  sip: BoundTransport[];
  admin: { address: string; port: number };
}

/**
 * The embedded SIP server: a drop-in for drachtio-server that drachtio-srf
 * applications connect to on the admin port, doing SIP over UDP, TCP, TLS and
 * WebSocket (RFC 7118, ws and wss).
 */
export class SipServer {
  readonly options: SipServerOptions;
  private readonly core: SipCore;
  private info?: SipServerInfo;

  constructor(input: SipServerOptionsInput = {}, logger: Logger = silentLogger()) {
    this.options = resolveSipServerOptions(input);
    const o = this.options;
    this.core = new SipCore(
      {
        transports: {
          listen: listenSpecs(o),
          maxMessageBytes: o.sip.maxMessageBytes,
          maxHeaders: o.sip.maxHeaders,
          tcpIdleTimeoutMs: o.sip.tcpIdleTimeoutMs,
          tls: o.sip.tls,
          wsPingIntervalMs: o.sip.wsPingIntervalMs,
        },
        externalAddress: o.sip.externalAddress,
        admin: o.admin,
        timers: o.timers,
        sessionTimers: o.sessionTimers,
        userAgent: o.userAgent,
        version: `v${packageVersion()}`,
        spammers: o.spammers,
        optionsAutoRespond: o.optionsAutoRespond.userAgents,
      },
      logger,
    );
  }

  async start(): Promise<SipServerInfo> {
    this.info = await this.core.start();
    return this.info;
  }

  async stop(): Promise<void> {
    await this.core.stop();
  }

  /**
   * Live transactions and dialogs, connected applications, requests waiting
   * on an application, scanner requests blocked, OPTIONS answered by the server.
   */
  stats(): SipCoreStats {
    return this.core.stats();
  }

  /** Messages, transactions and retransmissions since start (read, not reset). */
  counters(): SipServerCounters {
    return { messages: this.core.transports.counters, transactions: this.core.transactions.tallies };
  }
}

/**
 * One listener per transport of each contact (drachtio's `<contacts>`), or
 * of the single address/port/transports when no contacts are given. The
 * same protocol twice on one address and port is a configuration error.
 */
export function listenSpecs(o: SipServerOptions): ListenSpec[] {
  const contacts = o.sip.contacts ?? [{ address: o.sip.address, port: o.sip.port, transports: o.sip.transports }];
  const specs: ListenSpec[] = [];
  const seen = new Set<string>();
  for (const c of contacts) {
    for (const protocol of new Set(c.transports)) {
      const key = `${protocol}/${c.address}:${c.port}`;
      if (c.port !== 0 && seen.has(key)) throw new Error(`invalid SIP server options: ${key} is listed twice`);
      seen.add(key);
      const externalAddress = c.externalAddress ?? o.sip.externalAddress;
      specs.push({
        protocol,
        address: c.address,
        port: c.port,
        ...(externalAddress ? { externalAddress } : {}),
        ...(c.localNet ? { localNet: c.localNet } : {}),
      });
    }
  }
  return specs;
}
