/**
 * One configured FreeSWITCH server: its drachtio-fsmrf MediaServer while the
 * event socket is up, and the engine's own reconnect loop when it is not.
 *
 * drachtio-fsmrf's event socket client reconnects by itself with a backoff
 * that grows without bound and does not re-subscribe its events; so on a lost
 * connection the old MediaServer is disconnected and a fresh one is made
 * every reconnectIntervalMs until the server answers again.
 */
import { createServer } from 'node:net';
import type Mrf from 'drachtio-fsmrf';
import { EslProbeError, probeEventSocket } from './esl-probe.js';

export type FreeSwitchLog = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface FreeSwitchNodeOptions {
  address: string;
  port: number;
  secret: string;
  profile: string;
  listenAddress: string;
  listenPort: number;
  advertisedAddress?: string;
  reconnectIntervalMs: number;
  /** Names the server in errors, e.g. media.freeswitch.servers[0]. */
  configKey: string;
  log: FreeSwitchLog;
}

/** drachtio-modesl's reconnect timer, cleared so that a disconnected MediaServer stays down. */
interface ModeslConnection {
  reconnectVars?: { retryTimer?: NodeJS.Timeout | null };
}

/** How long drachtio-fsmrf may take to connect (event socket, listener, `sofia status`). */
const CONNECT_TIMEOUT_MS = 5000;
/** How long an attempt that timed out may hold up the next one. */
const ABANDON_CONNECT_MS = 60_000;

/** Errors a retry does not fix: reported at start instead of retried. */
function isConfigurationError(err: unknown): err is EslProbeError {
  return err instanceof EslProbeError && (err.failure === 'auth' || err.failure === 'acl' || err.failure === 'no-profile');
}

async function assertPortFree(address: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const s = createServer();
    s.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`cannot listen on ${address}:${port} for FreeSWITCH's event socket connections: ${err.code ?? err.message}`)));
    s.listen(port, address, () => s.close(() => resolve()));
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not complete within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Closes a drachtio-fsmrf connection: its event socket, its listener, and the library's retry timer. */
function closeMediaServer(ms: Mrf.MediaServer): void {
  const conn = (ms as unknown as { conn?: ModeslConnection }).conn;
  try {
    ms.disconnect();
  } catch {
    // already gone
  }
  if (conn?.reconnectVars?.retryTimer) clearTimeout(conn.reconnectVars.retryTimer);
}

export class FreeSwitchNode {
  readonly name: string;
  /** Endpoints made on this server and not yet destroyed. */
  endpoints = 0;
  /** Whether mod_spandsp is loaded (in-band DTMF with spandsp_start_dtmf, else start_dtmf). */
  hasSpandsp = false;
  private ms: Mrf.MediaServer | undefined;
  /** An attempt that timed out and has not ended yet. */
  private pendingConnect: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private lastFailure = '';
  private readonly downListeners = new Set<() => void>();

  constructor(
    private readonly mrf: Mrf,
    private readonly opts: FreeSwitchNodeOptions,
  ) {
    this.name = `${opts.address}:${opts.port}`;
  }

  /** The MediaServer, while the event socket is up. */
  get server(): Mrf.MediaServer | undefined {
    return this.ms?.connected() ? this.ms : undefined;
  }

  /**
   * The first connection. Rejects (naming the server and its configuration
   * key) on a refused password, an ACL rejection or a missing SIP profile; an
   * unreachable server is logged and retried in the background.
   */
  async start(): Promise<void> {
    try {
      await this.connectOnce();
    } catch (err) {
      if (isConfigurationError(err)) {
        throw new Error(`FreeSWITCH ${this.name} (${this.opts.configKey}): ${err.message}`, { cause: err });
      }
      this.failed(err);
      this.schedule();
    }
  }

  /** Calls fn whenever the connection to this server is lost; returns the unsubscribe function. */
  onDown(fn: () => void): () => void {
    this.downListeners.add(fn);
    return () => this.downListeners.delete(fn);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.drop();
  }

  private async connectOnce(): Promise<void> {
    const o = this.opts;
    // One attempt at a time: drachtio-fsmrf cannot be told to give one up.
    if (this.pendingConnect) throw new Error(`the last attempt to connect to FreeSWITCH ${this.name} has not ended yet`);
    await probeEventSocket({ address: o.address, port: o.port, secret: o.secret, profile: o.profile });
    await assertPortFree(o.listenAddress, o.listenPort);
    const connecting = this.mrf.connect({
      address: o.address,
      port: o.port,
      secret: o.secret,
      profile: o.profile,
      listenAddress: o.listenAddress,
      listenPort: o.listenPort,
      advertisedAddress: o.advertisedAddress,
    });
    let ms: Mrf.MediaServer;
    try {
      ms = await withTimeout(connecting, CONNECT_TIMEOUT_MS, `connecting to FreeSWITCH ${this.name}`);
    } catch (err) {
      // It may still complete, holding a listener on listenPort: the next
      // attempt would fail to bind it, or bind it first and make this one
      // throw EADDRINUSE. Close it when it comes, and try again only once it
      // has ended (or after ABANDON_CONNECT_MS, should it hang for ever).
      const settled = connecting.then(closeMediaServer, () => undefined);
      this.pendingConnect = settled;
      const clear = (): void => {
        if (this.pendingConnect === settled) this.pendingConnect = undefined;
      };
      void settled.then(clear);
      setTimeout(clear, ABANDON_CONNECT_MS).unref();
      throw err;
    }
    if (this.closed) {
      closeMediaServer(ms);
      return;
    }
    this.ms = ms;
    ms.on('error', (err: Error) => o.log('debug', 'FreeSWITCH event socket error', { server: this.name, reason: err.message }));
    ms.on('end', () => this.lost());
    // drachtio-fsmrf never answers a command whose connection closed: the question ends with the connection too.
    const gone = new Promise<string>((resolve) => ms.once('end', () => resolve('')));
    const spandsp = withTimeout(Promise.race([ms.api('module_exists mod_spandsp'), gone]), 5000, 'module_exists').catch(() => '');
    this.hasSpandsp = (await spandsp).trim() === 'true';
    // Lost meanwhile: lost() has already arranged the reconnection.
    if (this.ms !== ms) return;
    this.lastFailure = '';
    o.log('info', 'connected to FreeSWITCH', {
      server: this.name,
      esl: `${ms.listenAddress}:${ms.listenPort}`,
      inbandDtmf: this.hasSpandsp ? 'spandsp_start_dtmf' : 'start_dtmf',
    });
  }

  private lost(): void {
    if (this.closed || !this.ms) return;
    this.opts.log('warn', 'lost the connection to FreeSWITCH: reconnecting', { server: this.name, everyMs: this.opts.reconnectIntervalMs });
    this.drop();
    for (const fn of this.downListeners) fn();
    this.schedule();
  }

  private drop(): void {
    const ms = this.ms;
    this.ms = undefined;
    if (ms) closeMediaServer(ms);
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.connectOnce().catch((err: unknown) => {
        this.failed(err);
        this.schedule();
      });
    }, this.opts.reconnectIntervalMs);
    this.timer.unref();
  }

  /** Logs a failed attempt: a warning when the reason changes, debug while it stays the same. */
  private failed(err: unknown): void {
    const reason = (err as Error).message;
    const level = reason === this.lastFailure ? 'debug' : isConfigurationError(err) ? 'error' : 'warn';
    this.lastFailure = reason;
    this.opts.log(level, 'FreeSWITCH is not available: retrying', {
      server: this.name,
      configKey: this.opts.configKey,
      reason,
      everyMs: this.opts.reconnectIntervalMs,
    });
  }
}
