/**
 * SIP over secure WebSocket with a self-signed certificate made for the
 * test, and a WebSocket listener that keeps serving after garbage frames,
 * oversized messages and malformed SIP.
 */
import { readFileSync } from 'node:fs';
import { afterEach, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { within } from '../../support/deferred.js';
import { destroyDialog } from '../../support/srf-app.js';
import { answerInvite, options, registerClient, registrar, selfSignedCertificate, startWsServer } from './ws-fixture.js';
import { responseTo, SDP, WsSipClient } from './ws-sip-client.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

test('wss with a self-signed certificate: the client verifies it, registers, and is called', async () => {
  const cert = selfSignedCertificate();
  cleanup.push(cert.cleanup);
  const s = await startWsServer({ wss: { certFile: cert.certFile, keyFile: cert.keyFile }, routes: registrar() });
  cleanup.push(() => s.stop());
  const c = await WsSipClient.connect(s.url.wss!, { tls: { ca: readFileSync(cert.certFile) } });
  cleanup.push(() => c.close());
  expect(c.socket.protocol).toBe('sip');
  expect(await registerClient(c)).toBe(200);

  const uac = s.srf.createUAC(c.contact, { localSdp: SDP });
  const invite = await answerInvite(c);
  expect(invite.uri).toBe(c.contact);
  expect(invite.headers.get('via')).toMatch(/^SIP\/2\.0\/WSS 127\.0\.0\.1:\d+;rport;branch=/);
  expect(invite.headers.get('contact')).toMatch(/;transport=wss>$/);
  const dialog = await within(uac, 5000, 'createUAC to resolve');
  await c.request('ACK', invite.headers.get('call-id'));
  const bye = destroyDialog(dialog);
  const byeReq = await c.request('BYE', invite.headers.get('call-id'));
  c.send(responseTo(byeReq, 200, 'OK'));
  await within(bye, 5000, 'the BYE to complete');
});

test('a client that does not trust the certificate cannot connect; the listener keeps serving', async () => {
  const cert = selfSignedCertificate();
  cleanup.push(cert.cleanup);
  const s = await startWsServer({ wss: { certFile: cert.certFile, keyFile: cert.keyFile }, routes: registrar() });
  cleanup.push(() => s.stop());
  await expect(WsSipClient.connect(s.url.wss!)).rejects.toThrow(/self-signed|certificate/i);
  const c = await WsSipClient.connect(s.url.wss!, { tls: { ca: readFileSync(cert.certFile) } });
  cleanup.push(() => c.close());
  expect(await registerClient(c)).toBe(200);
});

test('wss without a certificate is a configuration error naming the option; a missing file names the file', async () => {
  await expect(startWsServer({ wss: { certFile: '/nonexistent/cert.pem', keyFile: '/nonexistent/key.pem' } })).rejects.toThrow(
    'cannot read TLS certificate file /nonexistent/cert.pem',
  );
  const { SipServer } = await import('../../../engine/sipstack/sip-server.js');
  expect(() => new SipServer({ sip: { contacts: [{ address: '127.0.0.1', port: 0, transports: ['wss'] }] } })).toThrow(
    'sip.tls: a wss transport needs tls.certFile and tls.keyFile',
  );
});

test('garbage frames are dropped and the connection keeps working; malformed SIP gets 400', async () => {
  const s = await startWsServer({ routes: registrar() });
  cleanup.push(() => s.stop());
  const c = await WsSipClient.connect(s.url.ws);
  cleanup.push(() => c.close());
  c.socket.send(randomBytes(300));
  c.socket.send('hello, this is not SIP');
  c.socket.send(Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]));
  // A request the server can answer: 400 for a bad CSeq.
  c.send([
    'OPTIONS sip:server SIP/2.0', `Via: ${c.via()}`, 'From: <sip:a@b>;tag=1', 'To: <sip:server>',
    'Call-ID: bad-cseq', 'CSeq: banana', 'Content-Length: 0', '', '',
  ].join('\r\n'));
  const bad = await c.waitFor((m) => m.kind === 'response' && m.headers.get('call-id') === 'bad-cseq', 3000, 'the 400');
  expect(bad.kind === 'response' && bad.status).toBe(400);
  // RFC 5626 §4.4.1 keep-alive as SIP.js sends it over WebSocket: answered with CRLF.
  c.send('\r\n\r\n');
  await within(new Promise<void>((resolve) => {
    const check = (): void => (c.raw.includes('\r\n') ? resolve() : void setTimeout(check, 5));
    check();
  }), 2000, 'the CRLF pong');
  // The same connection still carries SIP.
  c.send(options(c, 'after-garbage'));
  expect((await c.finalResponse('after-garbage', 'OPTIONS')).status).toBe(200);
  expect(await registerClient(c)).toBe(200);
});

test('an oversized message closes that connection (1009) and nothing else', async () => {
  const s = await startWsServer({ routes: registrar(), maxMessageBytes: 4096 });
  cleanup.push(() => s.stop());
  const other = await WsSipClient.connect(s.url.ws, { user: 'other' });
  cleanup.push(() => other.close());
  const c = await WsSipClient.connect(s.url.ws);
  cleanup.push(() => c.close());
  const big = [
    'MESSAGE sip:server SIP/2.0', `Via: ${c.via()}`, 'From: <sip:a@b>;tag=1', 'To: <sip:server>',
    'Call-ID: big', 'CSeq: 1 MESSAGE', 'Content-Type: text/plain', 'Content-Length: 8000', '', 'x'.repeat(8000),
  ].join('\r\n');
  c.send(big);
  const closed = await within(c.closed, 3000, 'the connection to close');
  expect(closed.code).toBe(1009);
  other.send(options(other, 'still-serving'));
  expect((await other.finalResponse('still-serving', 'OPTIONS')).status).toBe(200);
  expect(await registerClient(other)).toBe(200);
});
