/**
 * drachtio's per-contact external-ip and local-net on the wire: what a peer
 * sees in Via and Contact of requests an application sends and of responses
 * to its own requests, and which listener a request leaves from when
 * several could carry it.
 */
import { afterEach, describe, expect, test } from 'vitest';
import dgram from 'node:dgram';
import { once } from 'node:events';
import type Srf from 'drachtio-srf';
import { SipServer } from '../../engine/sipstack/sip-server.js';
import type { SipContact } from '../../config/sip-server-options.js';
import { chooseListener, localNetOf, parseIpv4Cidr, inNet } from '../../engine/sipstack/transport/listener-choice.js';
import { connectSrf, requestOutsideDialog } from '../support/srf-app.js';
import { route } from '../support/sip-server-harness.js';
import { buildRequest, isFinalFor, token } from '../support/sip-test-calls.js';
import { header, parseDatagram, UdpPeer, type HostPort } from '../support/sip-wire-peer.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function start(contacts: SipContact[], install?: (srf: Srf) => void): Promise<{ srf: Srf; udp: HostPort[] }> {
  const server = new SipServer({ sip: { contacts }, admin: { address: '127.0.0.1', port: 0, secret: 'cymru' } });
  const info = await server.start();
  cleanup.push(() => server.stop());
  const srf = await connectSrf(info.admin.address, info.admin.port);
  srf.on('error', () => undefined);
  install?.(srf);
  cleanup.push(() => srf.disconnect());
  return { srf, udp: info.sip.filter((t) => t.protocol === 'udp').map((t) => t.local) };
}

/** The application sends OPTIONS to a UDP socket on 127.0.0.1; resolves with its Via, its Contact and where it came from. */
async function optionsSeenByPeer(srf: Srf): Promise<{ via: string; contact: string; source: HostPort }> {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  cleanup.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  const arrived = once(socket, 'message') as Promise<[Buffer, dgram.RemoteInfo]>;
  requestOutsideDialog(srf, `sip:far@127.0.0.1:${socket.address().port}`, { method: 'OPTIONS', headers: { Contact: '<sip:app@localhost>' } }).catch(() => undefined);
  const [data, rinfo] = await arrived;
  const msg = parseDatagram(data);
  if (!msg) throw new Error('not a SIP message');
  return { via: header(msg, 'via') ?? '', contact: header(msg, 'contact') ?? '', source: { address: rinfo.address, port: rinfo.port } };
}

describe('external-ip and local-net', () => {
  test('a contact with an external-ip advertises it to a peer outside its local network', async () => {
    const { srf, udp } = await start([{ address: '127.0.0.1', port: 0, transports: ['udp'], externalAddress: '203.0.113.5', localNet: '10.0.0.0/8' }]);
    const seen = await optionsSeenByPeer(srf);
    expect(seen.via).toMatch(new RegExp(`^SIP/2\\.0/UDP 203\\.0\\.113\\.5:${udp[0]!.port};rport;branch=`));
    expect(seen.contact).toBe(`<sip:app@203.0.113.5:${udp[0]!.port}>`);
    expect(seen.source).toEqual(udp[0]);
  });

  test('a peer inside the local network gets the bound address', async () => {
    const { srf, udp } = await start([{ address: '127.0.0.1', port: 0, transports: ['udp'], externalAddress: '203.0.113.5', localNet: '127.0.0.0/8' }]);
    const seen = await optionsSeenByPeer(srf);
    expect(seen.via).toMatch(new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${udp[0]!.port};rport;branch=`));
    expect(seen.contact).toBe(`<sip:app@127.0.0.1:${udp[0]!.port}>`);
  });

  test('the Contact of a 200 to a caller outside the local network names the external address; inside, the bound one', async () => {
    const answer = (srf: Srf): void => route(srf, 'invite', (req, res) => {
      srf.createUAS(req, res, { localSdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n' }).catch(() => undefined);
    });
    for (const [localNet, expected] of [['10.0.0.0/8', '203.0.113.5'], ['127.0.0.0/8', '127.0.0.1']] as const) {
      const { udp } = await start([{ address: '127.0.0.1', port: 0, transports: ['udp'], externalAddress: '203.0.113.5', localNet }], answer);
      const peer = await UdpPeer.open(udp[0]!);
      cleanup.push(() => peer.close());
      const callId = `ext-${token()}`;
      peer.send(buildRequest(peer, { method: 'INVITE', uri: `sip:svc@127.0.0.1:${udp[0]!.port}`, callId, cseq: 1, fromTag: token(4), body: 'v=0\r\n' }));
      const ok = await peer.waitFor(isFinalFor(callId, 'INVITE'), 5000);
      expect(ok.status).toBe(200);
      expect(header(ok, 'contact')).toBe(`<sip:${expected}:${udp[0]!.port}>`);
    }
  });

  test('of two UDP listeners, a request leaves from the one whose local network holds the destination, and names it', async () => {
    const { srf, udp } = await start([
      { address: '127.0.0.1', port: 0, transports: ['udp'], externalAddress: '203.0.113.5', localNet: '10.0.0.0/8' },
      { address: '127.0.0.2', port: 0, transports: ['udp'], localNet: '127.0.0.0/8' },
    ]);
    const seen = await optionsSeenByPeer(srf);
    expect(seen.via).toMatch(new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.2:${udp[1]!.port};`));
    expect(seen.contact).toBe(`<sip:app@127.0.0.2:${udp[1]!.port}>`);
    // And it really left from that listener's socket.
    expect(seen.source).toEqual(udp[1]);
  });
});

describe('listener choice and networks', () => {
  test('CIDR parsing, membership, and drachtio-server\'s assumed local networks', () => {
    expect(parseIpv4Cidr('10.0.0.0/8')).toEqual({ base: 0x0a000000, mask: 0xff000000 });
    expect(parseIpv4Cidr('10.0.0.0')).toBeUndefined();
    expect(parseIpv4Cidr('10.0.0.0/33')).toBeUndefined();
    expect(parseIpv4Cidr('300.0.0.0/8')).toBeUndefined();
    expect(inNet('10.200.1.1', parseIpv4Cidr('10.0.0.0/8'))).toBe(true);
    expect(inNet('11.0.0.1', parseIpv4Cidr('10.0.0.0/8'))).toBe(false);
    expect(inNet('::1', parseIpv4Cidr('0.0.0.0/0'))).toBe(false);
    const assumed = (address: string, externalAddress?: string) => localNetOf({ local: { address, port: 5060 }, externalAddress });
    expect(assumed('10.1.2.3')).toEqual(parseIpv4Cidr('10.0.0.0/8'));
    expect(assumed('192.168.0.7')).toEqual(parseIpv4Cidr('192.168.0.0/24'));
    expect(assumed('192.168.1.7')).toBeUndefined();
    expect(assumed('172.16.4.4')).toEqual(parseIpv4Cidr('172.16.0.0/16'));
    expect(assumed('127.0.0.1')).toEqual(parseIpv4Cidr('127.0.0.1/32'));
    // drachtio-server assumes from the advertised address: an external one hides the bound 10.x.
    expect(assumed('10.1.2.3', '203.0.113.5')).toBeUndefined();
  });

  test('preference: local network, then leading octets in common, then an external address, then not loopback', () => {
    const l = (address: string, extra: { externalAddress?: string; localNet?: string } = {}) => ({ local: { address, port: 5060 }, ...extra });
    const a = l('192.168.1.10');
    const b = l('172.20.0.5', { localNet: '172.20.0.0/16' });
    expect(chooseListener([a, b], '172.20.9.9')).toBe(b);
    expect(chooseListener([a, b], '192.168.1.99')).toBe(a);
    const pub = l('198.51.100.1', { externalAddress: '203.0.113.5' });
    const lo = l('127.0.0.1');
    expect(chooseListener([lo, pub], '8.8.8.8')).toBe(pub);
    expect(chooseListener([lo, l('198.51.100.2')], '8.8.8.8')?.local.address).toBe('198.51.100.2');
    expect(chooseListener([a], undefined)).toBe(a);
  });
});
