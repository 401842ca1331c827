/**
 * Several contacts (drachtio's <contacts>): the server listens on each
 * address/port/transport, requests arriving on any of them reach the
 * application, and a UDP response leaves from the socket its request came in
 * on (so that a peer, or its NAT, sees the port it sent to).
 */
import { afterEach, expect, test } from 'vitest';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { SipServer } from '../../../engine/sipstack/sip-server.js';
import { buildRequest, isFinalFor, probeOptions, token } from '../../support/sip-test-calls.js';
import { openPeer, parseDatagram, type HostPort, type SipPeer, type WireMessage } from '../../support/sip-wire-peer.js';
import { route } from '../../support/sip-server-harness.js';
import { ADMIN_SECRET, connectSrf } from '../../support/srf-app.js';
import { drachtio } from './harness.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

/** Sends one OPTIONS from a fresh socket and resolves with the answer and the port it came from. */
async function optionsFrom(target: HostPort): Promise<{ res: WireMessage; fromPort: number }> {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const peer: Pick<SipPeer, 'transport' | 'local'> = { transport: 'udp', local: { address: '127.0.0.1', port: socket.address().port } };
  const callId = `contact-${token()}`;
  const text = buildRequest(peer as SipPeer, { method: 'OPTIONS', uri: `sip:x@${target.address}:${target.port}`, callId, cseq: 1, fromTag: 'c1' });
  try {
    const answer = new Promise<{ res: WireMessage; fromPort: number }>((resolve) => {
      socket.on('message', (data, rinfo) => {
        const res = parseDatagram(data);
        if (res && isFinalFor(callId)(res)) resolve({ res, fromPort: rinfo.port });
      });
    });
    socket.send(Buffer.from(text, 'latin1'), target.port, target.address);
    return await answer;
  } finally {
    socket.close();
  }
}

// The two tests below configure the embedded server's contacts: skipped against drachtio-server.
test.skipIf(drachtio)('two UDP contacts and a TCP one: each listens, answers from its own port, and reaches the app', async () => {
  const server = new SipServer({
    sip: {
      contacts: [
        { address: '127.0.0.1', port: 0, transports: ['udp'] },
        { address: '127.0.0.1', port: 0, transports: ['udp', 'tcp'] },
      ],
    },
    admin: { address: '127.0.0.1', port: 0, secret: ADMIN_SECRET },
  });
  const info = await server.start();
  cleanup.push(() => server.stop());
  expect(info.sip.map((t) => t.protocol)).toEqual(['udp', 'udp', 'tcp']);
  const [udpA, udpB, tcp] = info.sip.map((t) => t.local);
  expect(udpA!.port).not.toBe(udpB!.port);

  const srf = await connectSrf(info.admin.address, info.admin.port);
  srf.on('error', () => undefined);
  cleanup.push(async () => srf.disconnect());
  let seen = 0;
  route(srf, 'options', (_req, res) => {
    seen += 1;
    res.send(200);
  });
  const probe = await openPeer('udp', udpA!);
  cleanup.push(() => probe.close());
  let status = 0;
  for (let i = 0; i < 100 && status !== 200; i++) status = await probeOptions(probe, udpA!, 2000).catch(() => 0);
  expect(status).toBe(200);

  for (const listener of [udpA!, udpB!]) {
    const { res, fromPort } = await optionsFrom(listener);
    expect(res.status).toBe(200);
    expect(fromPort).toBe(listener.port);
  }
  const overTcp = await openPeer('tcp', tcp!);
  cleanup.push(() => overTcp.close());
  expect(await probeOptions(overTcp, tcp!, 3000)).toBe(200);
  expect(seen).toBeGreaterThanOrEqual(4);
});

test.skipIf(drachtio)('the same protocol twice on one address and port is refused with a clear error', () => {
  expect(() => new SipServer({
    sip: { contacts: [{ address: '127.0.0.1', port: 5070, transports: ['udp'] }, { address: '127.0.0.1', port: 5070, transports: ['udp', 'tcp'] }] },
  })).toThrow('udp/127.0.0.1:5070 is listed twice');
});
