/**
 * Configuration of WebSocket listeners: drachtio-server's XML (`<contact>`
 * with transport=ws/wss, `<tls>` with the key and certificate files) and what
 * a connected drachtio-srf application is told the server listens on.
 */
import { afterEach, expect, test } from 'vitest';
import Srf from 'drachtio-srf';
import { parseDrachtioXmlConfig } from '../../../config/drachtio-xml-config.js';
import { SipServer } from '../../../engine/sipstack/sip-server.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

test('drachtio XML: ws and wss contacts with WebSocket default ports, and the <tls> files', () => {
  const c = parseDrachtioXmlConfig(`<drachtio>
    <admin port="9022" secret="cymru">127.0.0.1</admin>
    <sip>
      <contacts>
        <contact>sip:10.0.0.5:5060;transport=udp,tcp</contact>
        <contact>sip:10.0.0.5:8080;transport=ws</contact>
        <contact>sip:*;transport=ws</contact>
        <contact>sips:*:443;transport=wss</contact>
      </contacts>
      <tls>
        <key-file>/etc/ssl/private/sip.key</key-file>
        <cert-file>/etc/ssl/certs/sip.pem</cert-file>
        <chain-file>/etc/ssl/certs/chain.pem</chain-file>
        <dh-param>/var/local/dh4096.pem</dh-param>
      </tls>
    </sip>
  </drachtio>`);
  expect(c.options.sip?.contacts).toEqual([
    { address: '10.0.0.5', port: 5060, transports: ['udp', 'tcp'] },
    { address: '10.0.0.5', port: 8080, transports: ['ws'] },
    { address: '0.0.0.0', port: 80, transports: ['ws'] },
    { address: '0.0.0.0', port: 443, transports: ['wss'] },
  ]);
  expect(c.options.sip?.tls).toEqual({ keyFile: '/etc/ssl/private/sip.key', certFile: '/etc/ssl/certs/sip.pem', chainFile: '/etc/ssl/certs/chain.pem' });
  expect(c.warnings).toContain('<drachtio.sip.tls.dh-param> ignored: Diffie-Hellman parameters are chosen by Node.js');
});

test('drachtio XML: a wss contact without <tls> is refused, naming the option', () => {
  expect(() => parseDrachtioXmlConfig('<drachtio><admin>127.0.0.1</admin><sip><contacts><contact>sips:*:443;transport=wss</contact></contacts></sip></drachtio>'))
    .toThrow('sip.tls: a wss transport needs tls.certFile and tls.keyFile');
  expect(() => parseDrachtioXmlConfig('<drachtio><admin>127.0.0.1</admin><sip><tls><key-file>/k.pem</key-file></tls></sip></drachtio>'))
    .toThrow('<tls> needs both <key-file> and <cert-file>');
});

test('a connected drachtio-srf application is told of the ws listener', async () => {
  const server = new SipServer({
    sip: { contacts: [{ address: '127.0.0.1', port: 0, transports: ['udp'] }, { address: '127.0.0.1', port: 0, transports: ['ws'] }] },
    admin: { address: '127.0.0.1', port: 0, secret: 'cymru' },
  });
  const info = await server.start();
  cleanup.push(() => server.stop());
  const ws = info.sip.find((s) => s.protocol === 'ws');
  expect(ws?.local.port).toBeGreaterThan(0);
  const srf = new Srf();
  srf.on('error', () => undefined);
  const hostports = await new Promise<string>((resolve, reject) => {
    srf.on('connect', (err: Error | null, hp: string) => (err ? reject(err) : resolve(hp)));
    srf.connect({ host: info.admin.address, port: info.admin.port, secret: 'cymru' });
  });
  cleanup.push(() => srf.disconnect());
  expect(hostports.split(',')).toContain(`ws/127.0.0.1:${ws!.local.port}`);
});
