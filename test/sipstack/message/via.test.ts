import { describe, expect, it } from 'vitest';
import { SipParseError } from '../../../engine/sipstack/message/errors.js';
import { formatVia, parseVia, viaBranch, viaRport } from '../../../engine/sipstack/message/via.js';

describe('parseVia', () => {
  it('parses protocol, transport, host, port and parameters', () => {
    const v = parseVia('SIP/2.0/udp pc33.atlanta.com:5066;branch=z9hG4bK776asdhds;rport;received=192.0.2.1');
    expect(v).toMatchObject({ protocol: 'SIP/2.0', transport: 'UDP', host: 'pc33.atlanta.com', port: 5066 });
    expect(viaBranch(v)).toBe('z9hG4bK776asdhds');
    expect(viaRport(v)).toBe(true);
    expect(v.params.get('received')).toBe('192.0.2.1');
  });

  it('accepts LWS around "/", ":", ";" and "=" (RFC 4475 wsinv)', () => {
    const v = parseVia('SIP  / 2.0  / TCP     spindle.example.com   ; branch  =   z9hG4bK9ikj8');
    expect(v).toMatchObject({ protocol: 'SIP/2.0', transport: 'TCP', host: 'spindle.example.com' });
    expect(viaBranch(v)).toBe('z9hG4bK9ikj8');
    expect(parseVia('SIP/2.0/UDP host : 5060 ;branch=x').port).toBe(5060);
  });

  it('parses IPv6 sent-by and received', () => {
    const v = parseVia('SIP/2.0/TCP [2001:db8::9:1]:5061;branch=z9hG4bKas3;received=2001:db8::9:255;rport=5061');
    expect(v.host).toBe('2001:db8::9:1');
    expect(v.port).toBe(5061);
    expect(v.params.get('received')).toBe('2001:db8::9:255');
    expect(viaRport(v)).toBe(5061);
    expect(formatVia(v)).toBe('SIP/2.0/TCP [2001:db8::9:1]:5061;branch=z9hG4bKas3;received=2001:db8::9:255;rport=5061');
  });

  it('keeps unknown transports and a value-less branch', () => {
    expect(parseVia('SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en').transport).toBe('UNKNOWN');
    const v = parseVia('SIP/2.0/WSS df7jal23ls0d.invalid;branch');
    expect(viaBranch(v)).toBeUndefined();
    expect(viaRport(v)).toBeUndefined();
  });

  it('formats what it parsed', () => {
    expect(formatVia(parseVia('SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;rport'))).toBe('SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;rport');
  });

  it.each([
    ['empty parameters (RFC 4475 badinv01)', 'SIP/2.0/UDP 192.0.2.15;;'],
    ['no sent-by', 'SIP/2.0/UDP'],
    ['no transport', 'SIP/2.0 host'],
    ['a comma (two elements)', 'SIP/2.0/UDP a;branch=1, SIP/2.0/UDP b'],
    ['a bad port', 'SIP/2.0/UDP host:70000'],
    ['an empty value', 'SIP/2.0/UDP host;branch='],
    ['an unterminated quoted value', 'SIP/2.0/UDP host;x="abc'],
    ['garbage', '\u0000\u0001'],
  ])('rejects %s', (_what, text) => {
    expect(() => parseVia(text)).toThrow(SipParseError);
  });
});
