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
        { address: '10.0.0.5', port: 5060, transports: ['udp', 'tcp'] },
        { address: '0.0.0.0', port: 5080, transports: ['udp'] },
      ],
      externalAddress: '203.0.113.7',
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
    expect(c.options.sip?.contacts).toEqual([{ address: '127.0.0.1', port: 5090, transports: ['tcp'] }]);
    // <spammers> without action attributes: drachtio's defaults (discard); a nameless header is skipped.
    expect(c.options.spammers).toEqual({ action: 'discard', tcpAction: 'discard', headers: {} });
    expect(c.warnings).toEqual([
      '<admin tls-port> ignored: not supported',
      '<contact local-net> ignored on sip:127.0.0.1:5090;transport=tcp: not supported',
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

  test('a TLS contact is refused with a clear error', async () => {
    await expect(loadDrachtioXmlConfig(fixture('drachtio-tls-contact.conf.xml'))).rejects.toThrow(
      /drachtio-tls-contact\.conf\.xml: <contact>sips:\*:5061;transport=tls<\/contact>: transport tls is not supported; contacts may use udp, tcp, ws and wss/,
    );
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
    ['<drachtio><sip><contacts><contact external-ip="1.1.1.1">sip:*</contact><contact external-ip="2.2.2.2">sip:*:5080</contact></contacts></sip></drachtio>', 'contacts with different external-ip values (1.1.1.1, 2.2.2.2) are not supported'],
    ['<drachtio><sip><spammers><header name="User-Agent"><value>/([/</value></header></spammers></sip></drachtio>', 'invalid SIP server options: spammers.headers.User-Agent.0: not a valid regular expression'],
  ])('%s is refused: %s', (xml, message) => {
    expect(() => parseDrachtioXmlConfig(xml, 'test.xml')).toThrow(`test.xml: ${message}`);
  });

  test('IPv6 contacts and a user part are understood', () => {
    const c = parseDrachtioXmlConfig('<drachtio><admin>::1</admin><sip><contacts><contact>sip:drachtio@[::1]:5070;transport=tcp</contact></contacts></sip></drachtio>');
    expect(c.options.sip?.contacts).toEqual([{ address: '::1', port: 5070, transports: ['tcp'] }]);
  });
});
