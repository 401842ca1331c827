/**
 * RFC 3261 §14.1: one INVITE at a time in a dialog. When the server's
 * session refresh falls due while the application's own re-INVITE is still
 * unanswered, the refresh waits; once that re-INVITE is answered, the timer
 * runs from its 2xx (RFC 4028 §7.2) and the next refresh follows.
 */
import { afterEach, expect, test } from 'vitest';
import type Srf from 'drachtio-srf';
import { UdpPeer, header, type WireMessage } from '../../support/sip-wire-peer.js';
import { buildRequest, isFinalFor, OFFER_SDP, tagOf, token } from '../../support/sip-test-calls.js';
import { route } from '../../support/sip-server-harness.js';
import { APP_SDP, startTimerServer, type TimerServer } from './fixtures.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

function cseqOf(m: WireMessage): number {
  return Number((header(m, 'cseq') ?? '').split(/\s+/)[0]);
}

/** A 200 to `req` from the peer, repeating its Session-Expires. */
function ok(req: WireMessage, contact: string): string {
  const copy = (name: string): string[] => req.headers.filter(([n]) => n.toLowerCase() === name).map(([n, v]) => `${n}: ${v}`);
  return [
    'SIP/2.0 200 OK', ...copy('via'), ...copy('from'), ...copy('to'), ...copy('call-id'), ...copy('cseq'),
    `Contact: ${contact}`, ...copy('session-expires'), 'Require: timer',
    'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(OFFER_SDP)}`, '', OFFER_SDP,
  ].join('\r\n');
}

test("a refresh due while the application's re-INVITE is unanswered waits for it, then runs from its 2xx", async () => {
  const st: TimerServer = await startTimerServer({ minSE: 1 });
  cleanup.push(() => st.stop());
  const dialogs: Srf.Dialog[] = [];
  route(st.srf, 'invite', (req, res) => {
    st.srf.createUAS(req, res, { localSdp: APP_SDP }).then((d) => dialogs.push(d), () => undefined);
  });
  const [address, port] = st.target.split(':');
  const peer = await UdpPeer.open({ address: address!, port: Number(port) });
  cleanup.push(() => peer.close());

  const callId = `wait-${token()}`;
  const fromTag = token(4);
  const uri = `sip:service@${st.target}`;
  peer.send(buildRequest(peer, {
    method: 'INVITE', uri, callId, cseq: 1, fromTag, body: OFFER_SDP,
    extraHeaders: ['Supported: timer', 'Session-Expires: 2;refresher=uas'],
  }));
  const answer = await peer.waitFor(isFinalFor(callId, 'INVITE'), 5000);
  expect(header(answer, 'session-expires')).toBe('2;refresher=uas');
  peer.send(buildRequest(peer, { method: 'ACK', uri, callId, cseq: 1, fromTag, toTag: tagOf(header(answer, 'to')) }));
  await expect.poll(() => dialogs.length).toBe(1);

  // The application's re-INVITE, which the peer leaves unanswered past the refresh point (1 s).
  const from = peer.received.length;
  const modified = dialogs[0]!.modify(APP_SDP);
  modified.catch(() => undefined);
  const appInvite = await peer.waitFor((m) => m.method === 'INVITE', 2000, from);
  const appSeq = cseqOf(appInvite);
  await new Promise((r) => setTimeout(r, 1600));
  const others = peer.received.slice(from).filter((m) => m.method === 'INVITE' && cseqOf(m) !== appSeq);
  expect(others).toHaveLength(0);

  // Answered: the timer runs from this 2xx, and the server's own refresh follows half an interval later.
  const answeredAt = performance.now();
  peer.send(ok(appInvite, `<sip:tester@${peer.local.address}:${peer.local.port}>`));
  await modified;
  const refresh = await peer.waitFor((m) => m.method === 'INVITE' && cseqOf(m) > appSeq, 3000, from);
  expect(performance.now() - answeredAt).toBeGreaterThan(800);
  expect(header(refresh, 'session-expires')).toBe('2;refresher=uac');
}, 15_000);
