import type Srf from 'drachtio-srf';

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
