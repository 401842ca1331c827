/**
 * Scanner blocking (drachtio-server's <spammers>): requests from well-known
 * scanners are answered 603 Decline or dropped by the server, and the
 * application never hears of them.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { SipServerOptionsInput } from '../../../config/sip-server-options.js';
import { SipServer } from '../../../engine/sipstack/sip-server.js';
import { buildRequest, isFinalFor, OFFER_SDP, probeOptions, tagOf, token } from '../../support/sip-test-calls.js';
import { header, openPeer, type HostPort, type SipPeer } from '../../support/sip-wire-peer.js';
import { route } from '../../support/sip-server-harness.js';
import { startPolicyServer, type PolicyServer } from './policy-server.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

interface Seen {
  invites: string[];
  options: string[];
}

/** A server with `spammers` options and an app that answers INVITE 486 and OPTIONS 200, noting each Call-ID. */
async function serverWithApp(spammers?: SipServerOptionsInput['spammers']): Promise<PolicyServer & { seen: Seen }> {
  const s = await startPolicyServer(spammers === undefined ? {} : { spammers });
  cleanup.push(() => s.stop());
  const seen: Seen = { invites: [], options: [] };
  s.srf.invite((req, res) => {
    seen.invites.push(req.get('Call-ID'));
    res.send(486);
  });
  route(s.srf, 'options', (req, res) => {
    seen.options.push(req.get('Call-ID'));
    res.send(200);
  });
  await untilAppAnswers(s.udp!);
  return { ...s, seen };
}

async function untilAppAnswers(udp: HostPort): Promise<void> {
  const peer = await openPeer('udp', udp);
  try {
    for (let i = 0; i < 100; i++) if ((await probeOptions(peer, udp, 2000).catch(() => 0)) === 200) return;
    throw new Error('the application never answered OPTIONS');
  } finally {
    await peer.close();
  }
}

async function peerFor(s: PolicyServer, transport: 'udp' | 'tcp'): Promise<SipPeer> {
  const peer = await openPeer(transport, (transport === 'udp' ? s.udp : s.tcp)!);
  cleanup.push(() => peer.close());
  return peer;
}

function invite(peer: SipPeer, server: HostPort, opts: { user?: string; userAgent?: string; callId?: string; branch?: string } = {}): { text: string; callId: string } {
  const callId = opts.callId ?? `scan-${token()}`;
  const text = buildRequest(peer, {
    method: 'INVITE',
    uri: `sip:${opts.user ?? '100'}@${server.address}:${server.port}`,
    callId,
    cseq: 1,
    fromTag: 'f1',
    branch: opts.branch,
    body: OFFER_SDP,
    extraHeaders: opts.userAgent ? [`User-Agent: ${opts.userAgent}`] : [],
  });
  return { text, callId };
}

/**
 * Sends an OPTIONS after `callId`'s request and waits for its answer: the
 * server handles one peer's messages in order, so by then it has dealt with
 * `callId` too, and whatever it was going to send for it has been sent.
 */
async function afterProbe(peer: SipPeer, server: HostPort, callId: string): Promise<string[]> {
  expect(await probeOptions(peer, server, 3000)).toBe(200);
  return peer.received.filter((m) => header(m, 'call-id') === callId).map((m) => m.startLine);
}

describe.each<'udp' | 'tcp'>(['udp', 'tcp'])('scanner blocking over %s', (transport) => {
  test('by default a friendly-scanner INVITE gets 603 Decline (no 100 Trying) and the app never sees it; counted in stats()', async () => {
    const s = await serverWithApp();
    const server = (transport === 'udp' ? s.udp : s.tcp)!;
    const peer = await peerFor(s, transport);
    const branch = `z9hG4bK${token()}`;
    const scan = invite(peer, server, { userAgent: 'friendly-scanner', branch });
    peer.send(scan.text);
    const first = await peer.waitFor(isFinalFor(scan.callId), 3000);
    expect(first.startLine).toBe('SIP/2.0 603 Decline');
    // RFC 3261 §8.2.7: the same request gets the same To tag again.
    peer.send(scan.text);
    const again = await peer.waitFor(isFinalFor(scan.callId), 3000, peer.received.indexOf(first) + 1);
    expect(tagOf(header(again, 'to'))).toBe(tagOf(header(first, 'to')));
    expect(await afterProbe(peer, server, scan.callId)).toEqual(['SIP/2.0 603 Decline', 'SIP/2.0 603 Decline']);

    // Other well-known scanners, case-insensitively.
    for (const ua of ['SIPVicious 0.3.4', 'sipcli/v1.8', 'VaxSIPUserAgent/3.1', 'pplsip']) {
      const other = invite(peer, server, { userAgent: ua });
      peer.send(other.text);
      expect((await peer.waitFor(isFinalFor(other.callId), 3000)).status, ua).toBe(603);
    }

    // A phone is not a scanner: its INVITE reaches the app.
    const call = invite(peer, server, { userAgent: 'Linphone/5.2' });
    peer.send(call.text);
    expect((await peer.waitFor(isFinalFor(call.callId), 3000)).status).toBe(486);
    expect(s.seen.invites).toEqual([call.callId]);
    expect(s.server.stats().scanners).toEqual({ rejected: 6, discarded: 0 });
  });

  test('action discard drops a request whose To user names a scanner, without an answer', async () => {
    const s = await serverWithApp({ action: 'discard', headers: { To: ['sipvicious'] } });
    const server = (transport === 'udp' ? s.udp : s.tcp)!;
    const peer = await peerFor(s, transport);
    const scan = invite(peer, server, { user: 'sipvicious' });
    peer.send(scan.text);
    expect(await afterProbe(peer, server, scan.callId)).toEqual([]);
    expect(s.seen.invites).toEqual([]);
    expect(s.server.stats().scanners).toEqual({ rejected: 0, discarded: 1 });
    // The rules replace the defaults: friendly-scanner now reaches the app.
    const ua = invite(peer, server, { userAgent: 'friendly-scanner' });
    peer.send(ua.text);
    expect((await peer.waitFor(isFinalFor(ua.callId), 3000)).status).toBe(486);
  });
});

test('tcpAction applies over TCP, action over UDP (drachtio tcp-action)', async () => {
  const s = await serverWithApp({ action: 'reject', tcpAction: 'discard', headers: { 'User-Agent': ['friendly-scanner'] } });
  const udp = await peerFor(s, 'udp');
  const tcp = await peerFor(s, 'tcp');
  const overUdp = invite(udp, s.udp!, { userAgent: 'friendly-scanner' });
  const overTcp = invite(tcp, s.tcp!, { userAgent: 'friendly-scanner' });
  udp.send(overUdp.text);
  tcp.send(overTcp.text);
  expect(await afterProbe(udp, s.udp!, overUdp.callId)).toEqual(['SIP/2.0 603 Decline']);
  expect(await afterProbe(tcp, s.tcp!, overTcp.callId)).toEqual([]);
  expect(s.server.stats().scanners).toEqual({ rejected: 1, discarded: 1 });
});

test('a /regex/ value matches as a regular expression; OPTIONS from a scanner are blocked too', async () => {
  const s = await serverWithApp({ headers: { 'User-Agent': ['/^evil-\\d+$/i'] } });
  const peer = await peerFor(s, 'udp');
  const hit = invite(peer, s.udp!, { userAgent: 'EVIL-42' });
  const miss = invite(peer, s.udp!, { userAgent: 'not evil-42' });
  peer.send(hit.text);
  peer.send(miss.text);
  expect((await peer.waitFor(isFinalFor(hit.callId), 3000)).status).toBe(603);
  expect((await peer.waitFor(isFinalFor(miss.callId), 3000)).status).toBe(486);
  const callId = `scan-${token()}`;
  peer.send(buildRequest(peer, { method: 'OPTIONS', uri: `sip:x@${s.udp!.address}:${s.udp!.port}`, callId, cseq: 1, fromTag: 'a', extraHeaders: ['User-Agent: evil-7'] }));
  expect((await peer.waitFor(isFinalFor(callId), 3000)).status).toBe(603);
  expect(s.seen.options).not.toContain(callId);
  expect(s.seen.invites).toEqual([miss.callId]);
});

test('headers: {} turns blocking off', async () => {
  const s = await serverWithApp({ headers: {} });
  const peer = await peerFor(s, 'udp');
  const scan = invite(peer, s.udp!, { userAgent: 'friendly-scanner' });
  peer.send(scan.text);
  expect((await peer.waitFor(isFinalFor(scan.callId), 3000)).status).toBe(486);
  expect(s.server.stats().scanners).toEqual({ rejected: 0, discarded: 0 });
});

test('a bad regular expression is a clear error when the server is made', () => {
  expect(() => new SipServer({ spammers: { headers: { 'User-Agent': ['/([a-/'] } } })).toThrow(/spammers\.headers\.User-Agent\.0: not a valid regular expression/);
});
