/**
 * Boots the embedded SIP server on ephemeral ports and connects real
 * drachtio-srf applications to it; `stop()` disconnects them and stops the
 * server so that nothing outlives a test.
 */
import Srf from 'drachtio-srf';
import { SipServer } from '../../engine/sipstack/sip-server.js';
import { waitUntil } from './ports.js';
import { connectSrf as connectToServer } from '../../engine/srf-connect.js';

export const ADMIN_SECRET = 'cymru';

export interface SipTimers {
  t1?: number;
  t2?: number;
  t4?: number;
  /** Timer D: how long an INVITE client transaction absorbs response retransmissions over UDP. */
  d?: number;
}

export interface SrfHarnessOptions {
  transports?: Array<'udp' | 'tcp'>;
  timers?: SipTimers;
}

export interface SrfHarness {
  server: SipServer;
  /** The first connected application. */
  srf: Srf;
  /** Where the server takes SIP, per transport. */
  sip: Partial<Record<'udp' | 'tcp' | 'tls' | 'ws' | 'wss', { address: string; port: number }>>;
  /** host:port of the server's SIP listener for a transport, for SIPp's remote argument. */
  sipTarget(transport?: 'udp' | 'tcp'): string;
  admin: { address: string; port: number };
  /** Connects one more drachtio-srf application. */
  connectApp(): Promise<Srf>;
  /** Polls server.stats() until no transaction and no dialog is left, or fails after `timeoutMs`. */
  waitForIdle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Connects a drachtio-srf application and resolves on its 'connect' event. */
export async function connectSrf(address: string, port: number, secret = ADMIN_SECRET): Promise<Srf> {
  const srf = new Srf();
  await connectToServer(srf, address, port, secret);
  return srf;
}

export async function startSrfHarness(opts: SrfHarnessOptions = {}): Promise<SrfHarness> {
  const server = new SipServer({
    sip: { address: '127.0.0.1', port: 0, transports: opts.transports ?? ['udp', 'tcp'] },
    admin: { address: '127.0.0.1', port: 0, secret: ADMIN_SECRET },
    ...(opts.timers ? { timers: opts.timers } : {}),
  });
  const info = await server.start();
  const sip: SrfHarness['sip'] = {};
  for (const listener of info.sip) sip[listener.protocol] = listener.local;
  const apps: Srf[] = [];
  const connectApp = async (): Promise<Srf> => {
    const app = await connectSrf(info.admin.address, info.admin.port);
    // An app without an error listener would throw on a dropped connection.
    app.on('error', () => undefined);
    apps.push(app);
    return app;
  };
  let srf: Srf;
  try {
    srf = await connectApp();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    server,
    srf,
    sip,
    admin: info.admin,
    sipTarget(transport = 'udp') {
      const l = sip[transport];
      if (!l) throw new Error(`the server has no ${transport} listener`);
      return `${l.address}:${l.port}`;
    },
    connectApp,
    async waitForIdle(timeoutMs = 10_000) {
      await waitUntil(() => {
        const s = server.stats();
        return s.transactions === 0 && s.dialogs === 0;
      }, timeoutMs, `server idle (stats ${JSON.stringify(server.stats())})`);
    },
    async stop() {
      for (const app of apps) app.disconnect();
      await server.stop();
    },
  };
}

/** dialog.destroy() as a Promise of the BYE it sent (drachtio-srf's typings declare the promise form as void). */
export function destroyDialog(dialog: Srf.Dialog): Promise<Srf.SrfRequest> {
  return new Promise((resolve, reject) => {
    dialog.destroy(undefined, (err: unknown, bye: Srf.SrfRequest) => {
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve(bye);
    });
  });
}

export interface OutOfDialogRequest {
  method: Srf.SipMethod;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * srf.request(uri, {method, headers, body}) and the final response to it
 * (drachtio-srf's typings do not describe this call form).
 */
export function requestOutsideDialog(srf: Srf, uri: string, opts: OutOfDialogRequest): Promise<{ sent: Srf.SrfRequest; response: Srf.SrfResponse }> {
  type RequestFn = (uri: string, opts: OutOfDialogRequest, callback: (err: unknown, req: Srf.SrfRequest) => void) => void;
  const request = (srf.request as unknown as RequestFn).bind(srf);
  return new Promise((resolve, reject) => {
    request(uri, opts, (err, sent) => {
      if (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      sent.on('response', (response) => {
        if (response && response.status >= 200) resolve({ sent, response });
      });
    });
  });
}
