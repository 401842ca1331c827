import { describe, expect, it } from 'vitest';
import { SipParseError } from '../../../engine/sipstack/message/errors.js';
import { formatUri, parseUri, uriEquals } from '../../../engine/sipstack/message/uri.js';

describe('parseUri', () => {
  it('parses user, host, port, params and headers', () => {
    const u = parseUri('sip:alice:secret@Example.COM:5070;transport=TCP;lr?Subject=hi%20there&Priority=urgent');
    expect(u).toMatchObject({ scheme: 'sip', user: 'alice', password: 'secret', host: 'example.com', port: 5070 });
    expect([...u.params]).toEqual([['transport', 'TCP'], ['lr', null]]);
    expect([...u.headers]).toEqual([['Subject', 'hi there'], ['Priority', 'urgent']]);
  });

  it('lowercases the scheme and keeps sips distinct', () => {
    expect(parseUri('SIPS:bob@host').scheme).toBe('sips');
  });

  it('decodes escapes in the user part and parameters (RFC 4475 esc01)', () => {
    expect(parseUri('sip:sips%3Auser%40example.com@example.net').user).toBe('sips:user@example.com');
    const u = parseUri('sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31');
    expect(u.user).toBe('caller');
    expect([...u.params]).toEqual([['lr', null], ['name', 'value%41']]);
  });

  it('keeps an escaped NUL and invalid escapes literally', () => {
    expect(parseUri('sip:null-%00-null@example.com').user).toBe('null-\u0000-null');
    expect(parseUri('sip:a%ZZb@example.com').user).toBe('a%ZZb');
  });

  it('decodes escaped UTF-8', () => {
    expect(parseUri('sip:%C3%A9t%C3%A9@example.com').user).toBe('été');
  });

  it('parses IPv6 references without brackets', () => {
    const u = parseUri('sip:[2001:DB8::1]:5060;maddr=[2001:db8::2]');
    expect(u.host).toBe('2001:db8::1');
    expect(u.port).toBe(5060);
    expect(u.params.get('maddr')).toBe('[2001:db8::2]');
    expect(parseUri('sips:carol@[::1]').host).toBe('::1');
  });

  it('finds the host after the first @ even with ; ? , in the user part (RFC 4475 intmeth, semiuri)', () => {
    const u = parseUri("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com");
    expect(u.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    expect(u.password).toBe("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    expect(u.host).toBe('example.com');
    expect(parseUri('sip:user;par=u%40example.net@example.com').user).toBe('user;par=u@example.net');
  });

  it('parses tel URIs and keeps other schemes opaque', () => {
    const t = parseUri('tel:+1-201-555-0123;phone-context=example.com');
    expect(t).toMatchObject({ scheme: 'tel', user: '+1-201-555-0123', host: '' });
    expect(t.params.get('phone-context')).toBe('example.com');
    expect(parseUri('soap.beep://192.0.2.103:3002')).toMatchObject({ scheme: 'soap.beep', opaque: '//192.0.2.103:3002' });
    expect(parseUri('nobodyKnowsThisScheme:totallyopaquecontent').scheme).toBe('nobodyknowsthisscheme');
  });

  it.each([
    ['no scheme', 'example.com'],
    ['angle brackets', '<sip:user@example.com>'],
    ['white space', 'sip:user@example.com; lr'],
    ['empty host', 'sip:user@'],
    ['bad port', 'sip:host:99999'],
    ['empty port', 'sip:host:;lr'],
    ['unterminated IPv6', 'sip:[2001:db8::1'],
    ['garbage after host', 'sip:host/path'],
    ['empty parameter', 'sip:host;;lr'],
    ['empty user', 'sip:@host'],
    ['empty', 'sip:'],
  ])('rejects %s', (_what, text) => {
    expect(() => parseUri(text)).toThrow(SipParseError);
  });
});

describe('formatUri', () => {
  it('round-trips, brackets IPv6 and re-escapes what must be escaped', () => {
    expect(formatUri(parseUri('sip:alice@[2001:db8::1]:5060;transport=tcp;lr'))).toBe('sip:alice@[2001:db8::1]:5060;transport=tcp;lr');
    expect(formatUri(parseUri('sip:sips%3Auser%40example.com@example.net'))).toBe('sip:sips%3Auser%40example.com@example.net');
    expect(formatUri(parseUri('sip:I%20have%20spaces@example.net'))).toBe('sip:I%20have%20spaces@example.net');
    expect(formatUri(parseUri('sip:%75se%72@example.com'))).toBe('sip:user@example.com');
    expect(formatUri(parseUri('sip:a@b?Route=%3Csip:c%3E'))).toBe('sip:a@b?Route=%3Csip:c%3E');
    expect(formatUri(parseUri('tel:+15551234;ext=22'))).toBe('tel:+15551234;ext=22');
    expect(formatUri(parseUri('urn:service:sos'))).toBe('urn:service:sos');
  });
});

describe('uriEquals (RFC 3261 §19.1.4)', () => {
  const eq = (a: string, b: string): boolean => uriEquals(parseUri(a), parseUri(b));

  it('matches the RFC examples of equivalent URIs', () => {
    expect(eq('sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp')).toBe(true);
    expect(eq('sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5')).toBe(true);
    expect(eq('sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;newparam=5')).toBe(true);
    expect(eq('sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com', 'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com')).toBe(true);
    expect(eq('sip:alice@atlanta.com?subject=project%20x&priority=urgent', 'sip:alice@atlanta.com?priority=urgent&subject=project%20x')).toBe(true);
  });

  it('matches the RFC examples of different URIs', () => {
    expect(eq('SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP')).toBe(false);
    expect(eq('sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060')).toBe(false);
    expect(eq('sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp')).toBe(false);
    expect(eq('sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp')).toBe(false);
    expect(eq('sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting')).toBe(false);
    expect(eq('sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4')).toBe(false);
    expect(eq('sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;security=off')).toBe(false);
    expect(eq('sip:alice@example.com', 'sips:alice@example.com')).toBe(false);
  });
});
