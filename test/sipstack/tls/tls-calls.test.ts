/**
 * SIP over TLS (RFC 3261 §26) through the embedded SIP server with a real
 * drachtio-srf application: a self-signed certificate made by openssl, a
 * Node TLS client calling in (Debian's SIPp is built without TLS), calls
 * placed by the application to a TLS peer, connection reuse, peer
 * certificate verification, and a listener that survives bad handshakes.
 */
import { afterEach, describe, expect, test } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import Srf from 'drachtio-srf';
import { SipServer } from '../../../engine/sipstack/sip-server.js';
import { connectSrf, destroyDialog } from '../../support/srf-app.js';
import { route } from '../../support/sip-server-harness.js';
import { buildRequest, isFinalFor, OFFER_SDP, tagOf, token } from '../../support/sip-test-calls.js';
import { header, type HostPort, type WireMessage } from '../../support/sip-wire-peer.js';
import { selfSignedCertificate } from '../websocket/ws-fixture.js';
import { TlsClientPeer, TlsServerPeer } from './tls-peer.js';

const APP_SDP = ['v=0', 'o=app 1 1 IN IP4 127.0.0.1', 's=tls-app', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 41000 RTP/AVP 0', ''].join('\r\n');

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

interface Running {
  srf: Srf;
  tls: HostPort;
  certFile: string;
  keyFile: string;
}

async function start(opts: { verifyPeer?: boolean; caFile?: string; install?: (srf: Srf) => void } = {}): Promise<Running> {
  const cert = selfSignedCertificate();
  cleanup.push(cert.cleanup);
  const server = new SipServer({
    sip: {
      contacts: [{ address: '127.0.0.1', port: 0, transports: ['udp', 'tls'] }],
      tls: { certFile: cert.certFile, keyFile: cert.keyFile, verifyPeer: opts.verifyPeer ?? false, ...(opts.caFile ? { caFile: opts.caFile } : {}) },
      tcpIdleTimeoutMs: 60_000,
    },
    admin: { address: '127.0.0.1', port: 0, secret: 'cymru' },
    timers: { t1: 50, t2: 500, t4: 500, d: 500 },
  });
  const info = await server.start();
  cleanup.push(() => server.stop());
  const tls = info.sip.find((t) => t.protocol === 'tls')?.local;
  if (!tls) throw new Error('no tls listener');
  const srf = await connectSrf(info.admin.address, info.admin.port);
  srf.on('error', () => undefined);
  cleanup.push(() => srf.disconnect());
  opts.install?.(srf);
  return { srf, tls, certFile: cert.certFile, keyFile: cert.keyFile };
}

/** The application answers every INVITE with APP_SDP and hands the dialog to `onDialog`. */
function answering(onDialog: (d: Srf.Dialog) => void = () => undefined) {
  return (srf: Srf): void => {
    route(srf, 'invite', (req, res) => {
      srf.createUAS(req, res, { localSdp: APP_SDP }).then(onDialog, () => undefined);
    });
  };
}

async function client(r: Running): Promise<TlsClientPeer> {
  const c = await TlsClientPeer.connect(r.tls, r.certFile);
  cleanup.push(() => c.close());
  return c;
}

function isRequest(method: string, callId: string) {
  return (m: WireMessage): boolean => m.method === method && header(m, 'call-id') === callId;
}

describe('SIP over TLS', () => {
  test('a TLS client calls in: it verifies the certificate, the 200 names a ;transport=tls Contact, ACK and BYE travel on the same connection', async () => {
    const dialogs: Srf.Dialog[] = [];
    const r = await start({ install: answering((d) => dialogs.push(d)) });
    const peer = await client(r);
    expect(peer.authorized).toBe(true);

    const callId = `tls-${token()}`;
    const fromTag = token(4);
    const uri = `sip:service@127.0.0.1:${r.tls.port};transport=tls`;
    peer.send(buildRequest(peer, { method: 'INVITE', uri, callId, cseq: 1, fromTag, body: OFFER_SDP }));
    const ok = await peer.waitFor(isFinalFor(callId, 'INVITE'), 5000);
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toContain('s=tls-app');
    // §18.2.1 / RFC 3581: our Via comes back with received and rport filled in.
    expect(header(ok, 'via')).toMatch(new RegExp(`^SIP/2\\.0/TLS 127\\.0\\.0\\.1:${peer.local.port};branch=\\S+;rport=${peer.local.port}`));
    const contact = header(ok, 'contact') ?? '';
    expect(contact).toBe(`<sip:127.0.0.1:${r.tls.port};transport=tls>`);

    const toTag = tagOf(header(ok, 'to'));
    peer.send(buildRequest(peer, { method: 'ACK', uri: `sip:127.0.0.1:${r.tls.port};transport=tls`, callId, cseq: 1, fromTag, toTag }));
    const byeFrom = peer.received.length;
    peer.send(buildRequest(peer, { method: 'BYE', uri: `sip:127.0.0.1:${r.tls.port};transport=tls`, callId, cseq: 2, fromTag, toTag }));
    const byeOk = await peer.waitFor(isFinalFor(callId, 'BYE'), 5000, byeFrom);
    expect(byeOk.status).toBe(200);
    expect(dialogs).toHaveLength(1);
  });

  test('the application hangs up: its BYE reaches the caller over the caller\'s TLS connection, Via SIP/2.0/TLS', async () => {
    const dialogs: Srf.Dialog[] = [];
    const r = await start({ install: answering((d) => dialogs.push(d)) });
    const peer = await client(r);
    const callId = `tls-${token()}`;
    const fromTag = token(4);
    const uri = `sip:service@127.0.0.1:${r.tls.port};transport=tls`;
    peer.send(buildRequest(peer, { method: 'INVITE', uri, callId, cseq: 1, fromTag, body: OFFER_SDP }));
    const ok = await peer.waitFor(isFinalFor(callId, 'INVITE'), 5000);
    const toTag = tagOf(header(ok, 'to'));
    peer.send(buildRequest(peer, { method: 'ACK', uri: `sip:127.0.0.1:${r.tls.port};transport=tls`, callId, cseq: 1, fromTag, toTag }));
    await expect.poll(() => dialogs.length).toBe(1);

    const destroyed = destroyDialog(dialogs[0]!);
    const bye = await peer.waitFor(isRequest('BYE', callId), 5000);
    expect(header(bye, 'via')).toMatch(new RegExp(`^SIP/2\\.0/TLS 127\\.0\\.0\\.1:${r.tls.port};`));
    // The Contact of the INVITE said transport=tls on our own address: the BYE went there on this connection.
    expect(bye.startLine).toBe(`BYE sip:tester@127.0.0.1:${peer.local.port};transport=tls SIP/2.0`);
    const lines = [`SIP/2.0 200 OK`, ...bye.headers.filter(([n]) => /^(via|from|to|call-id|cseq)$/i.test(n)).map(([n, v]) => `${n}: ${v}`), 'Content-Length: 0', '', ''];
    peer.send(lines.join('\r\n'));
    await destroyed;
  });

  test('a SIPS Request-URI gets a sips: Contact in the 200 (RFC 3261 §12.1.1)', async () => {
    const r = await start({ install: answering() });
    const peer = await client(r);
    const callId = `sips-${token()}`;
    const uri = `sips:service@127.0.0.1:${r.tls.port}`;
    peer.send(buildRequest(peer, { method: 'INVITE', uri, callId, cseq: 1, fromTag: token(4), body: OFFER_SDP }));
    const ok = await peer.waitFor(isFinalFor(callId, 'INVITE'), 5000);
    expect(ok.status).toBe(200);
    expect(header(ok, 'contact')).toBe(`<sips:127.0.0.1:${r.tls.port}>`);
  });

  test('the application calls a ;transport=tls target: one TLS connection carries INVITE, ACK and BYE, Via and Contact say TLS', async () => {
    const r = await start();
    const far = await TlsServerPeer.listen({ certFile: r.certFile, keyFile: r.keyFile });
    cleanup.push(() => far.close());
    const uac = r.srf.createUAC(`sip:callee@127.0.0.1:${far.local.port};transport=tls`, { localSdp: OFFER_SDP });
    uac.catch(() => undefined);
    const invite = await far.waitFor((m) => m.method === 'INVITE', 5000);
    expect(header(invite, 'via')).toMatch(new RegExp(`^SIP/2\\.0/TLS 127\\.0\\.0\\.1:${r.tls.port};`));
    expect(header(invite, 'contact')).toMatch(new RegExp(`<sip:127\\.0\\.0\\.1:${r.tls.port};transport=tls>`));
    const callId = header(invite, 'call-id')!;
    far.send(answer(invite, 200, `<sip:callee@127.0.0.1:${far.local.port};transport=tls>`, APP_SDP));
    const dialog = await uac;
    expect(dialog.remote.sdp).toContain('s=tls-app');
    await far.waitFor(isRequest('ACK', callId), 5000);

    const destroyed = destroyDialog(dialog);
    const bye = await far.waitFor(isRequest('BYE', callId), 5000);
    far.send(answer(bye, 200));
    await destroyed;
    expect(far.connections).toBe(1);
  });

  test('with verifyPeer, a far end whose certificate is not trusted is not called; trusted through caFile, it is', async () => {
    const untrusted = selfSignedCertificate();
    cleanup.push(untrusted.cleanup);
    const far = await TlsServerPeer.listen(untrusted);
    cleanup.push(() => far.close());

    const strict = await start({ verifyPeer: true });
    const refused = await strict.srf.createUAC(`sip:callee@127.0.0.1:${far.local.port};transport=tls`, { localSdp: OFFER_SDP }).then(
      () => 'answered',
      (err: { status?: number; message?: string }) => err.status ?? err.message,
    );
    expect(refused).toBe(503);
    expect(far.received.filter((m) => m.method === 'INVITE')).toHaveLength(0);

    const trusting = await start({ verifyPeer: true, caFile: untrusted.certFile });
    const uac = trusting.srf.createUAC(`sip:callee@127.0.0.1:${far.local.port};transport=tls`, { localSdp: OFFER_SDP });
    uac.catch(() => undefined);
    const invite = await far.waitFor((m) => m.method === 'INVITE', 5000);
    far.send(answer(invite, 486));
    await expect(uac).rejects.toMatchObject({ status: 486 });
  });

  test('with verifyPeer, a client without a certificate is refused; plain TCP bytes on the TLS port are dropped; the listener still serves', async () => {
    const strict = await start({ verifyPeer: true, install: answering() });
    const outcome = await TlsClientPeer.connect(strict.tls, strict.certFile).then(
      async (p) => {
        // TLS 1.3 reports the refusal after the handshake: the server closes without answering.
        p.send(buildRequest(p, { method: 'OPTIONS', uri: `sip:127.0.0.1:${strict.tls.port}`, callId: token(), cseq: 1, fromTag: token(4) }));
        await p.closed;
        return p.received.length === 0 ? 'refused' : 'answered';
      },
      () => 'refused',
    );
    expect(outcome).toBe('refused');

    const r = await start({ install: answering() });
    const plain = net.connect({ host: r.tls.address, port: r.tls.port });
    await once(plain, 'connect');
    plain.write('INVITE sip:x@127.0.0.1 SIP/2.0\r\n\r\n');
    await once(plain, 'close');

    const peer = await client(r);
    const callId = `after-${token()}`;
    peer.send(buildRequest(peer, { method: 'INVITE', uri: `sip:service@127.0.0.1:${r.tls.port};transport=tls`, callId, cseq: 1, fromTag: token(4), body: OFFER_SDP }));
    expect((await peer.waitFor(isFinalFor(callId, 'INVITE'), 5000)).status).toBe(200);
  });
});

/** A response to `req` from the far end, with a To tag and optional Contact and SDP. */
function answer(req: WireMessage, status: number, contact?: string, sdp = ''): string {
  const copy = (name: string): string[] => req.headers.filter(([n]) => n.toLowerCase() === name).map(([n, v]) => `${n}: ${v}`);
  const to = header(req, 'to') ?? '';
  const lines = [
    `SIP/2.0 ${status} ${status === 200 ? 'OK' : 'Busy Here'}`,
    ...copy('via'), ...copy('from'),
    `To: ${/;\s*tag=/i.test(to) ? to : `${to};tag=${token(4)}`}`,
    ...copy('call-id'), ...copy('cseq'),
    ...(contact ? [`Contact: ${contact}`] : []),
    ...(sdp ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(sdp)}`, '', sdp,
  ];
  return lines.join('\r\n');
}
