/**
 * drachtio-server's XML configuration file read as SIP server options.
 */
import { describe, expect, test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadDrachtioXmlConfig, parseDrachtioXmlConfig } from '../../config/drachtio-xml-config.js';
import { resolveSipServerOptions } from '../../config/sip-server-options.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('drachtio XML configuration', () => {
  test('a full file: admin, several contacts, external-ip, timers, spammers, OPTIONS responder, log level', async () => {
    const c = await loadDrachtioXmlConfig(fixture('drachtio-full.conf.xml'));
    expect(c.warnings).toEqual([]);
    expect(c.logLevel).toBe('debug');
    expect(c.options.admin).toEqual({ address: '10.0.0.5', port: 9023, secret: 's3cret' });
    expect(c.options.sip).toEqual({
      contacts: [
        // external-ip belongs to its own contact, as in drachtio-server.
        { address: '10.0.0.5', port: 5060, transports: ['udp', 'tcp'], externalAddress: '203.0.113.7' },
        { address: '0.0.0.0', port: 5080, transports: ['udp'] },
      ],
    });
    expect(c.options.timers).toEqual({ t1: 250, t2: 2000, t4: 3000 });
    expect(c.options.spammers).toEqual({
      action: 'reject',
      tcpAction: 'discard',
      headers: { 'User-Agent': ['friendly-scanner', 'sipcli'], To: ['sipvicious'] },
    });
    expect(c.options.optionsAutoRespond).toEqual({ userAgents: ['Asterisk PBX'] });
    // And the result is valid options for the server.
    expect(resolveSipServerOptions(c.options).sip.contacts).toHaveLength(2);
  });

  test('the old single <contact>, sip:* meaning every interface, port 5060, UDP and TCP; the secret defaults as drachtio does', async () => {
    const c = await loadDrachtioXmlConfig(fixture('drachtio-minimal.conf.xml'));
    expect(c.options.sip).toEqual({ contacts: [{ address: '0.0.0.0', port: 5060, transports: ['udp', 'tcp'] }] });
    expect(c.options.admin).toEqual({ address: '127.0.0.1', port: 9022, secret: 'admin' });
    expect(c.options.spammers).toBeUndefined();
    expect(c.logLevel).toBeUndefined();
  });

  test('unknown and unsupported elements and attributes are warnings, the rest still applies', async () => {
    const c = await loadDrachtioXmlConfig(fixture('drachtio-unknown.conf.xml'));
    expect(c.options.sip?.contacts).toEqual([{ address: '127.0.0.1', port: 5090, transports: ['tcp'], localNet: '10.0.0.0/8' }]);
    // <spammers> without action attributes: drachtio's defaults (discard); a nameless header is skipped.
    expect(c.options.spammers).toEqual({ action: 'discard', tcpAction: 'discard', headers: {} });
    expect(c.warnings).toEqual([
      '<admin tls-port> ignored: not supported',
      '<drachtio.sip.udp-mtu> ignored: not supported',
      '<drachtio.sip.flux-capacitor> is not a known element: ignored',
      '<spammers><header> without a name attribute ignored',
      '<drachtio.cdrs> ignored: cdr events go to every application that asks for them',
      '<drachtio.monitoring> ignored: Prometheus monitoring is not supported',
      '<drachtio.logging.file> ignored: logs go to standard output',
      '<logging><loglevel>chatty</loglevel> is not one of notice, error, warning, info, debug: ignored',
    ]);
  });

  test('malformed XML is an error naming the file and the place', async () => {
    const file = fixture('drachtio-malformed.conf.xml');
    await expect(loadDrachtioXmlConfig(file)).rejects.toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: malformed XML at line \\d+, column \\d+`));
  });

  test('a TLS contact (RFC 3261 §26) becomes a tls listener; sips: alone means TLS on 5061', async () => {
    const c = await loadDrachtioXmlConfig(fixture('drachtio-tls-contact.conf.xml'));
    expect(c.options.sip?.contacts).toEqual([
      { address: '0.0.0.0', port: 5060, transports: ['udp', 'tcp'] },
      { address: '0.0.0.0', port: 5061, transports: ['tls'] },
    ]);
    const bare = parseDrachtioXmlConfig('<drachtio><sip><contacts><contact>sips:10.0.0.5</contact><contact>sip:10.0.0.5;transport=tls</contact></contacts>' +
      '<tls><key-file>/k.pem</key-file><cert-file>/c.pem</cert-file></tls></sip></drachtio>');
    expect(bare.options.sip?.contacts).toEqual([
      { address: '10.0.0.5', port: 5061, transports: ['tls'] },
      { address: '10.0.0.5', port: 5061, transports: ['tls'] },
    ]);
  });

  test('a tls contact without <tls> key and certificate files is refused', () => {
    expect(() => parseDrachtioXmlConfig('<drachtio><sip><contacts><contact>sip:*:5061;transport=tls</contact></contacts></sip></drachtio>', 'tls.xml'))
      .toThrow('tls.xml: invalid SIP server options: sip.tls: a tls transport needs tls.certFile and tls.keyFile');
  });

  test('external-ip and local-net belong to each contact; contacts may differ', () => {
    const c = parseDrachtioXmlConfig(`<drachtio><admin>127.0.0.1</admin><sip><contacts>
      <contact external-ip="203.0.113.5" local-net="10.0.0.0/8">sip:10.0.0.5;transport=udp</contact>
      <contact external-ip="198.51.100.9">sip:192.168.1.5:5080;transport=udp,tcp</contact>
      <contact>sip:127.0.0.1:5090;transport=tcp</contact></contacts></sip></drachtio>`);
    expect(c.warnings).toEqual([]);
    expect(c.options.sip?.contacts).toEqual([
      { address: '10.0.0.5', port: 5060, transports: ['udp'], externalAddress: '203.0.113.5', localNet: '10.0.0.0/8' },
      { address: '192.168.1.5', port: 5080, transports: ['udp', 'tcp'], externalAddress: '198.51.100.9' },
      { address: '127.0.0.1', port: 5090, transports: ['tcp'] },
    ]);
  });

  test('a missing file is an error naming it', async () => {
    await expect(loadDrachtioXmlConfig('/nonexistent/drachtio.conf.xml')).rejects.toThrow(/^\/nonexistent\/drachtio\.conf\.xml: cannot read configuration file/);
  });

  test.each([
    ['<sip/>', 'the root element must be <drachtio>, found <sip>'],
    ['<drachtio><admin port="x">127.0.0.1</admin></drachtio>', "<admin port> must be a whole number, got 'x'"],
    ['<drachtio><sip><contact>tel:+1555</contact></sip></drachtio>', '<contact>tel:+1555</contact> is not a SIP URI'],
    ['<drachtio><sip><spammers action="block"/></sip></drachtio>', '<spammers action="block">: must be reject or discard'],
    ['<drachtio><sip><timers><t1>5</t1></timers></sip></drachtio>', 'invalid SIP server options: timers.t1'],
    ['<drachtio><sip><contact local-net="10.0.0.0">sip:*</contact></sip></drachtio>', 'invalid SIP server options: sip.contacts.0.localNet: must be an IPv4 network in CIDR form, such as 10.0.0.0/8'],
    ['<drachtio><sip><contact local-net="10.0.0.0/33">sip:*</contact></sip></drachtio>', 'invalid SIP server options: sip.contacts.0.localNet: must be an IPv4 network'],
    ['<drachtio><sip><contact external-ip="my.host">sip:*</contact></sip></drachtio>', 'invalid SIP server options: sip.contacts.0.externalAddress: must be an IP address'],
    ['<drachtio><sip><contact>sip:*;transport=sctp</contact></sip></drachtio>', '<contact>sip:*;transport=sctp</contact>: transport sctp is not supported; contacts may use udp, tcp, tls, ws and wss'],
    ['<drachtio><sip><spammers><header name="User-Agent"><value>/([/</value></header></spammers></sip></drachtio>', 'invalid SIP server options: spammers.headers.User-Agent.0: not a valid regular expression'],
  ])('%s is refused: %s', (xml, message) => {
    expect(() => parseDrachtioXmlConfig(xml, 'test.xml')).toThrow(`test.xml: ${message}`);
  });

  test('IPv6 contacts and a user part are understood', () => {
    const c = parseDrachtioXmlConfig('<drachtio><admin>::1</admin><sip><contacts><contact>sip:drachtio@[::1]:5070;transport=tcp</contact></contacts></sip></drachtio>');
    expect(c.options.sip?.contacts).toEqual([{ address: '::1', port: 5070, transports: ['tcp'] }]);
  });
});
