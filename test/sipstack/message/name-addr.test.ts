import { describe, expect, it } from 'vitest';
import { SipParseError } from '../../../engine/sipstack/message/errors.js';
import { formatNameAddr, parseNameAddr, tagOf } from '../../../engine/sipstack/message/name-addr.js';

describe('parseNameAddr', () => {
  it('parses a quoted display name, URI and parameters', () => {
    const n = parseNameAddr('"Alice Smith" <sip:alice@atlanta.com;transport=tcp>;tag=1928301774;x');
    expect(n.displayName).toBe('Alice Smith');
    expect(n.uri).toBe('sip:alice@atlanta.com;transport=tcp');
    expect([...n.params]).toEqual([['tag', '1928301774'], ['x', null]]);
  });

  it('unescapes quoted-pairs in the display name (RFC 4475 wsinv)', () => {
    expect(parseNameAddr('"J Rosenberg \\\\\\""       <sip:jdrosen@example.com> ; tag = 98asjd8').displayName).toBe('J Rosenberg \\"');
    expect(parseNameAddr('"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam = newvalue ; secondparam ; q = 0.33').params.get('q')).toBe('0.33');
  });

  it('reads addr-spec parameters as header parameters (§20.10)', () => {
    const n = parseNameAddr('sip:+19725552222@gw1.example.net;unknownparam;tag=7');
    expect(n.uri).toBe('sip:+19725552222@gw1.example.net');
    expect([...n.params]).toEqual([['unknownparam', null], ['tag', '7']]);
    expect(n.displayName).toBeUndefined();
  });

  it('accepts unquoted display names, including no space before "<"', () => {
    expect(parseNameAddr('caller<sip:caller@example.com>;tag=323').displayName).toBe('caller');
    expect(parseNameAddr('Bell, Alexander <sip:a.g.bell@example.com>;tag=43').displayName).toBe('Bell, Alexander');
  });

  it('keeps UTF-8 in display names and quoted parameter values', () => {
    const n = parseNameAddr('"Zoë Ünïcode" <sip:z@example.com>;note="日本語"');
    expect(n.displayName).toBe('Zoë Ünïcode');
    expect(n.params.get('note')).toBe('"日本語"');
  });

  it('tolerates spaces just inside the angle brackets (RFC 4475 badaspec)', () => {
    expect(parseNameAddr('"Watson, Thomas" < sip:t.watson@example.org >').uri).toBe('sip:t.watson@example.org');
  });

  it.each([
    ['an unterminated quote (RFC 4475 quotbal)', '"Mr. J. User <sip:j.user@example.com>'],
    ['empty parameters (RFC 4475 badinv01)', '"Joe" <sip:joe@example.org>;;;;'],
    ['a missing ">"', '<sip:a@b;tag=1'],
    ['nothing', '   '],
    ['a quoted name without an address', '"Alice"'],
  ])('rejects %s', (_what, text) => {
    expect(() => parseNameAddr(text)).toThrow(SipParseError);
  });
});

describe('formatNameAddr and tagOf', () => {
  it('writes the name-addr form with a quoted display name', () => {
    expect(formatNameAddr({ displayName: 'Say "hi"', uri: 'sip:a@b', params: new Map([['tag', 'x1']]) })).toBe('"Say \\"hi\\"" <sip:a@b>;tag=x1');
    expect(formatNameAddr(parseNameAddr('sip:a@b;tag=9'))).toBe('<sip:a@b>;tag=9');
  });

  it('finds the tag', () => {
    expect(tagOf('<sip:a@b>;tag=abc')).toBe('abc');
    expect(tagOf('sip:a@b')).toBeUndefined();
    expect(tagOf('<sip:a@b;tag=inuri>')).toBeUndefined();
    expect(tagOf('"broken <sip:a@b>;tag=1')).toBeUndefined();
  });
});
