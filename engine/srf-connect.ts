import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';

/**
 * Connects drachtio-srf to a SIP server's admin port; resolves on its
 * 'connect' event with the SIP listeners the server reported
 * (`udp/1.2.3.4:5060,tcp/...`), rejects on 'error'.
 */
export function connectSrf(srf: Srf, host: string, port: number, secret: string): Promise<string | undefined> {
  return new Promise((resolveConnect, reject) => {
    const onError = (err: Error): void => {
      srf.removeListener('connect', onConnect);
      reject(err);
    };
    const onConnect = (err: Error | null, hostport?: string): void => {
      srf.removeListener('error', onError);
      if (err) reject(err);
      else resolveConnect(hostport);
    };
    srf.once('connect', onConnect);
    srf.once('error', onError);
    // drachtio-srf's connect() returns nothing at run time; the events above report the outcome.
    void srf.connect({ host, port, secret });
  });
}

/**
 * Whether drachtio-srf's connection to the SIP server is up, from now on:
 * drachtio-srf reconnects by itself when the SIP server goes away and comes
 * back; each reconnection (or its refusal) is logged.
 */
export function watchSrfConnection(srf: Srf, admin: { address: string; port: number }, log: Logger): { readonly connected: boolean } {
  const state = { connected: true };
  srf.on('connect', (err: Error | null, again?: string) => {
    state.connected = !err;
    if (err) log.error({ reason: err.message }, 'the SIP server refused the reconnection');
    else log.info({ admin: `${admin.address}:${admin.port}`, sip: again }, 'reconnected to the SIP server');
  });
  // drachtio-srf's types list SIP methods only; its connection also emits 'close' when the socket drops.
  (srf as unknown as NodeJS.EventEmitter).on('close', () => (state.connected = false));
  return state;
}
