/**
 * An application asking for a transport the server does not listen on gets
 * drachtio-server's answer, "requested protocol/transport not available",
 * at once from srf.request and createUAC; a proxy destination on such a
 * transport ends the proxied request with 500.
 */
import { afterEach, expect, test } from 'vitest';
import type Srf from 'drachtio-srf';
import { requestOutsideDialog } from '../../support/srf-app.js';
import { buildRequest, isFinalFor, OFFER_SDP, sendAckForFailure, token } from '../../support/sip-test-calls.js';
import { openPeer } from '../../support/sip-wire-peer.js';
import { within } from '../../support/deferred.js';
import { startPolicyServer, type PolicyServer } from './policy-server.js';

const NOT_AVAILABLE = 'requested protocol/transport not available';
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function start(transports: Array<'udp' | 'tcp'>): Promise<PolicyServer> {
  const s = await startPolicyServer({ sip: { transports } });
  cleanup.push(() => s.stop());
  return s;
}

function failureOf(p: Promise<unknown>): Promise<unknown> {
  return within(p.then(() => new Error('the request was sent'), (err: unknown) => err), 2000, 'the request to fail');
}

test('UDP only: srf.request and createUAC to ;transport=tcp fail at once with drachtio\'s text', async () => {
  const s = await start(['udp']);
  const viaRequest = await failureOf(requestOutsideDialog(s.srf, 'sip:bob@127.0.0.1:5999;transport=tcp', { method: 'OPTIONS' }));
  expect(viaRequest).toBeInstanceOf(Error);
  expect((viaRequest as Error).message).toBe(NOT_AVAILABLE);
  expect(viaRequest).toMatchObject({ code: 'EDRACHTIO' });

  const viaUac = await failureOf(s.srf.createUAC('sip:bob@127.0.0.1:5999;transport=tcp', { localSdp: OFFER_SDP }));
  expect((viaUac as Error).message).toBe(NOT_AVAILABLE);
  // Nothing was started for either.
  expect(s.server.stats()).toMatchObject({ transactions: 0, pendingAppTransactions: 0 });
});

test('TCP only: a request to ;transport=udp fails, and one without a transport goes over TCP', async () => {
  const s = await start(['tcp']);
  const err = await failureOf(requestOutsideDialog(s.srf, 'sip:bob@127.0.0.1:5999;transport=udp', { method: 'MESSAGE', body: 'hi', headers: { 'Content-Type': 'text/plain' } }));
  expect((err as Error).message).toBe(NOT_AVAILABLE);
  // sips: would need TLS, which the server does not have.
  const tls = await failureOf(requestOutsideDialog(s.srf, 'sips:bob@127.0.0.1:5999', { method: 'OPTIONS' }));
  expect((tls as Error).message).toBe(NOT_AVAILABLE);
});

test('a proxy destination on a transport the server lacks gets the caller a 500', async () => {
  const s = await start(['udp']);
  const proxied: Array<Promise<unknown>> = [];
  s.srf.invite((req) => {
    const call = s.srf.proxyRequest.bind(s.srf) as unknown as (r: Srf.SrfRequest, d: string[], o: Record<string, unknown>) => Promise<unknown>;
    proxied.push(call(req, ['sip:bob@127.0.0.1:5999;transport=tcp'], {}).catch((e: unknown) => e));
  });
  const peer = await openPeer('udp', s.udp!);
  cleanup.push(() => peer.close());
  const uri = `sip:bob@${s.udp!.address}:${s.udp!.port}`;
  let status = 0;
  // Until the app's INVITE route is in place the server answers 503; then the proxy's answer comes.
  for (let i = 0; i < 100 && (status === 0 || status === 503); i++) {
    const callId = `proxy-${token()}`;
    const from = peer.received.length;
    peer.send(buildRequest(peer, { method: 'INVITE', uri, callId, cseq: 1, fromTag: token(4), body: OFFER_SDP }));
    const res = await peer.waitFor(isFinalFor(callId, 'INVITE'), 3000, from);
    sendAckForFailure(peer, res, uri);
    status = res.status ?? 0;
  }
  expect(status).toBe(500);
  expect(proxied).toHaveLength(1);
});
