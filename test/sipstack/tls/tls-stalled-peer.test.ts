/**
 * A TLS peer that accepts the TCP connection and never completes the
 * handshake (a half-open handshake): the server gives the connection up,
 * closes it, reports a transport failure (503) to the application, and a
 * later request to the same peer tries a fresh connection instead of
 * waiting on the stalled one.
 */
import { afterEach, describe, expect, test } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import type Srf from 'drachtio-srf';
import { SipServer } from '../../../engine/sipstack/sip-server.js';
import { connectSrf } from '../../support/srf-app.js';
import { OFFER_SDP } from '../../support/sip-test-calls.js';
import { selfSignedCertificate } from '../websocket/ws-fixture.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function startServer(): Promise<Srf> {
  const cert = selfSignedCertificate();
  cleanup.push(cert.cleanup);
  const server = new SipServer({
    sip: {
      contacts: [{ address: '127.0.0.1', port: 0, transports: ['udp', 'tls'] }],
      tls: { certFile: cert.certFile, keyFile: cert.keyFile },
      tcpIdleTimeoutMs: 60_000,
    },
    admin: { address: '127.0.0.1', port: 0, secret: 'cymru' },
    // Timer B = 64*T1 = 6.4 s: a connection attempt must be given up well before.
    timers: { t1: 100, t2: 500, t4: 500, d: 500 },
  });
  const info = await server.start();
  cleanup.push(() => server.stop());
  const srf = await connectSrf(info.admin.address, info.admin.port);
  srf.on('error', () => undefined);
  cleanup.push(() => srf.disconnect());
  return srf;
}

/** A TCP listener that accepts connections and never says a word. */
async function silentPeer(): Promise<{ port: number; sockets: net.Socket[]; closed: Promise<void>[] }> {
  const sockets: net.Socket[] = [];
  const closed: Promise<void>[] = [];
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    s.resume(); // reads (and ignores) the ClientHello, so that the far side's close is seen
    sockets.push(s);
    closed.push(once(s, 'close').then(() => undefined));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as net.AddressInfo).port, sockets, closed };
}

function outcome(p: Promise<unknown>): Promise<number | string> {
  return p.then(
    () => 'answered',
    (err: { status?: number; message?: string }) => err.status ?? String(err.message),
  );
}

describe('TLS peer that never completes the handshake', () => {
  test('the attempt fails with 503 before Timer B, the connection is closed, and the next request connects afresh', async () => {
    const srf = await startServer();
    const far = await silentPeer();
    const uri = `sip:callee@127.0.0.1:${far.port};transport=tls`;

    const started = performance.now();
    expect(await outcome(srf.createUAC(uri, { localSdp: OFFER_SDP }))).toBe(503);
    expect(performance.now() - started).toBeLessThan(6000);
    expect(far.sockets).toHaveLength(1);
    await far.closed[0];

    // The stalled attempt is not shared with later requests: a new connection is tried.
    const second = outcome(srf.createUAC(uri, { localSdp: OFFER_SDP }));
    await expect.poll(() => far.sockets.length, { timeout: 3000 }).toBe(2);
    expect(await second).toBe(503);
    await far.closed[1];
  }, 20_000);
});
