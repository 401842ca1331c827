/**
 * OPTIONS keep-alives (drachtio-server's user-agent-options-auto-respond):
 * the server answers a configured trunk's OPTIONS itself, 200 OK with
 * Allow, Accept and Supported, whether or not an application routes
 * OPTIONS; any other OPTIONS goes to an application, or gets 503 when no
 * application routes OPTIONS (drachtio-server's answer).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { fileURLToPath } from 'node:url';
import type Srf from 'drachtio-srf';
import { describeSipp, SippSession } from '../../support/sipp.js';
import { findMessages } from '../../support/sipp-trace.js';
import { buildRequest, isFinalFor, probeOptions, token } from '../../support/sip-test-calls.js';
import { header, openPeer, type HostPort, type SipPeer, type WireMessage } from '../../support/sip-wire-peer.js';
import { route } from '../../support/sip-server-harness.js';
import { startPolicyServer, type PolicyServer } from './policy-server.js';

const scenario = fileURLToPath(new URL('../../scenarios/uac-options-keepalive.xml', import.meta.url));
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function start(userAgents: string[]): Promise<PolicyServer> {
  const s = await startPolicyServer({ optionsAutoRespond: { userAgents } });
  cleanup.push(() => s.stop());
  return s;
}

async function udpPeer(s: PolicyServer): Promise<SipPeer> {
  const peer = await openPeer('udp', s.udp!);
  cleanup.push(() => peer.close());
  return peer;
}

async function ping(peer: SipPeer, server: HostPort, userAgent?: string): Promise<WireMessage> {
  const callId = `ping-${token()}`;
  const from = peer.received.length;
  peer.send(buildRequest(peer, {
    method: 'OPTIONS',
    uri: `sip:ping@${server.address}:${server.port}`,
    callId,
    cseq: 1,
    fromTag: token(4),
    extraHeaders: userAgent ? [`User-Agent: ${userAgent}`] : [],
  }));
  return peer.waitFor(isFinalFor(callId), 3000, from);
}

function splitList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((v) => v.trim()).filter(Boolean);
}

describe('with no application routing OPTIONS', () => {
  test("a configured trunk's OPTIONS gets 200 with Allow, Accept and Supported; another UA's gets 503", async () => {
    const s = await start(['Asterisk', '/^FPBX-\\d+/']);
    const peer = await udpPeer(s);

    const ok = await ping(peer, s.udp!, 'Asterisk PBX 20.5.0');
    expect(ok.startLine).toBe('SIP/2.0 200 OK');
    expect(splitList(header(ok, 'allow'))).toEqual(expect.arrayContaining(['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS']));
    expect(header(ok, 'accept')).toBe('application/sdp');
    expect(splitList(header(ok, 'supported'))).toEqual(expect.arrayContaining(['timer', 'replaces']));
    expect(header(ok, 'to')).toMatch(/;tag=/);

    expect((await ping(peer, s.udp!, 'FPBX-16.0.40(18.2)')).status).toBe(200);
    expect((await ping(peer, s.udp!, 'asterisk')).status).toBe(200);
    expect((await ping(peer, s.udp!, 'Linphone/5.2')).status).toBe(503);
    expect((await ping(peer, s.udp!)).status).toBe(503);
    expect(s.server.stats().optionsAutoAnswered).toBe(3);
  });

  test('with no configured User-Agent (the default) every OPTIONS gets 503', async () => {
    const s = await start([]);
    const peer = await udpPeer(s);
    expect((await ping(peer, s.udp!, 'Asterisk PBX 20.5.0')).status).toBe(503);
    expect(s.server.stats().optionsAutoAnswered).toBe(0);
  });

  test('SIPp pinging as a configured trunk over UDP and TCP gets 200', async () => {
    const s = await start(['sipp-trunk']);
    const sipp = new SippSession();
    cleanup.push(() => sipp.stopAll());
    for (const transport of ['udp', 'tcp'] as const) {
      const target = (transport === 'udp' ? s.udp : s.tcp)!;
      const result = await sipp.run({ scenario, remote: `${target.address}:${target.port}`, transport, keys: { ua: 'sipp-trunk/3.6' }, calls: 2 });
      expect(result.exitCode, describeSipp(result)).toBe(0);
      const oks = findMessages(result.trace, { direction: 'received', status: 200 });
      expect(oks).toHaveLength(2);
      expect(oks[0]!.header('Allow')).toContain('INVITE');
    }
    expect(s.server.stats().optionsAutoAnswered).toBe(4);
  });
});

test('with an application routing OPTIONS, a configured trunk is still answered by the server and other OPTIONS reach the app', async () => {
  const s = await start(['Asterisk']);
  const seen: string[] = [];
  route(s.srf as Srf, 'options', (req, res) => {
    seen.push(req.get('User-Agent') ?? '');
    res.send(200, { headers: { 'X-Answered-By': 'app' } });
  });
  const peer = await udpPeer(s);
  // The route message travels apart from SIP: wait until the app answers.
  let probe = 0;
  for (let i = 0; i < 100 && probe !== 200; i++) probe = await probeOptions(peer, s.udp!, 2000).catch(() => 0);
  expect(probe).toBe(200);

  const trunk = await ping(peer, s.udp!, 'Asterisk PBX 20.5.0');
  expect(trunk.status).toBe(200);
  expect(header(trunk, 'x-answered-by')).toBeUndefined();
  const phone = await ping(peer, s.udp!, 'Linphone/5.2');
  expect(phone.status).toBe(200);
  expect(header(phone, 'x-answered-by')).toBe('app');
  expect(seen).not.toContain('Asterisk PBX 20.5.0');
  expect(seen).toContain('Linphone/5.2');
});
