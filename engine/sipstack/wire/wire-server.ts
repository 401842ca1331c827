import { timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import { AppConnection } from './app-connection.js';
import { WireFramer } from './framing.js';
import { parseWirePayload, type WirePayload } from './wire-message.js';

/** What the SIP side does with the application's `sip` and `proxy` messages. */
export interface WireHandler {
  /** `sip|<txnId>|<dialogId>[|<proxy>]\r\n<sip message>` from an application. */
  onAppSip(app: AppConnection, msg: WirePayload): void;
  /** `proxy|<txnId>|...|<destinations>\r\n<request template>` from an application. */
  onAppProxy(app: AppConnection, msg: WirePayload): void;
  /** The application went away: its pending work is released. */
  onAppClosed(app: AppConnection): void;
}

export interface WireServerOptions {
  address: string;
  port: number;
  secret: string;
  /** `udp/1.2.3.4:5060,tcp/1.2.3.4:5060` as sent in the authenticate answer. */
  hostports: () => string;
  version: string;
  log: (level: 'info' | 'warn' | 'debug', text: string, detail?: Record<string, unknown>) => void;
}

/**
 * The server side of the drachtio wire protocol: the admin port that
 * drachtio-srf applications connect to. It authenticates them with the shared
 * secret, records which SIP methods each wants (`route`), answers pings, and
 * hands SIP work to the WireHandler. New requests are shared among the
 * applications that want their method in round-robin order.
 */
export class WireServer {
  private server?: net.Server;
  private readonly apps = new Set<AppConnection>();
  private readonly rrOffset = new Map<string, number>();
  private nextId = 1;

  constructor(
    private readonly opts: WireServerOptions,
    private readonly handler: WireHandler,
  ) {}

  async start(): Promise<{ address: string; port: number }> {
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.opts.log('warn', 'admin server error', { error: err.message }));
    const a = server.address() as net.AddressInfo;
    return { address: a.address, port: a.port };
  }

  async stop(): Promise<void> {
    for (const app of this.apps) app.close();
    this.apps.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next application, in round-robin order, that asked for this method. */
  selectApp(method: string): AppConnection | undefined {
    const key = method.toLowerCase();
    const candidates = [...this.apps].filter((a) => a.authenticated && !a.closed && a.methods.has(key));
    if (candidates.length === 0) return undefined;
    const offset = (this.rrOffset.get(key) ?? 0) % candidates.length;
    this.rrOffset.set(key, offset + 1);
    return candidates[offset];
  }

  /** Applications that asked for `cdr:<kind>` events. */
  appsWanting(route: string): AppConnection[] {
    return [...this.apps].filter((a) => a.authenticated && !a.closed && a.methods.has(route));
  }

  get connectedApps(): number {
    return this.apps.size;
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    const app = new AppConnection(`app-${this.nextId++}`, socket);
    const framer = new WireFramer();
    this.apps.add(app);
    this.opts.log('info', 'application connected', { app: app.id, remote: app.remote });
    // An application that never authenticates is dropped.
    const authTimer = setTimeout(() => {
      if (!app.authenticated) app.close();
    }, 10_000);
    authTimer.unref();
    socket.on('data', (chunk) => {
      for (const frame of framer.push(chunk)) {
        if (frame.kind === 'error') {
          this.opts.log('warn', 'invalid message from application, closing connection', { app: app.id, error: frame.error });
          app.close();
          return;
        }
        try {
          this.dispatch(app, frame.payload);
        } catch (err) {
          this.opts.log('warn', 'failed to handle application message', { app: app.id, error: (err as Error).message });
        }
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(authTimer);
      app.closed = true;
      this.apps.delete(app);
      this.opts.log('info', 'application disconnected', { app: app.id });
      this.handler.onAppClosed(app);
    });
  }

  private dispatch(app: AppConnection, payload: string): void {
    const msg = parseWirePayload(payload);
    if (!msg) {
      this.opts.log('warn', 'malformed message from application', { app: app.id });
      return;
    }
    if (msg.type === 'authenticate') {
      this.authenticate(app, msg);
      return;
    }
    if (!app.authenticated) {
      app.respond(msg.msgId, false, 'not authenticated');
      return;
    }
    switch (msg.type) {
      case 'ping':
        app.respond(msg.msgId, true, 'pong');
        break;
      case 'route':
        if (!msg.args[0]) app.respond(msg.msgId, false, 'Route request includes unsupported verb');
        else {
          app.methods.add(msg.args[0].toLowerCase());
          app.respond(msg.msgId, true);
        }
        break;
      case 'remove_route':
        app.methods.delete((msg.args[0] ?? '').toLowerCase());
        app.respond(msg.msgId, true);
        break;
      case 'sip':
        this.handler.onAppSip(app, msg);
        break;
      case 'proxy':
        this.handler.onAppProxy(app, msg);
        break;
      default:
        app.respond(msg.msgId, false, 'Unknown message type');
    }
  }

  private authenticate(app: AppConnection, msg: WirePayload): void {
    const given = Buffer.from(msg.args[0] ?? '');
    const expected = Buffer.from(this.opts.secret);
    const ok = given.length === expected.length && timingSafeEqual(given, expected);
    if (!ok) {
      this.opts.log('warn', 'application failed to authenticate', { app: app.id, remote: app.remote });
      app.respond(msg.msgId, false, 'incorrect secret');
      return;
    }
    app.authenticated = true;
    for (const tag of (msg.args[1] ?? '').split(',')) if (tag) app.tags.add(tag);
    const hostports = this.opts.hostports();
    app.respond(msg.msgId, true, `${hostports}|${this.opts.version}|${hostports}`);
  }
}
