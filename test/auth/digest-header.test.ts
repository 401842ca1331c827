import { describe, expect, it } from 'vitest';
import { DigestHeaderError, parseCredentials, quote } from '../../engine/auth/digest-header.js';

describe('parseCredentials', () => {
  it('reads tokens and quoted strings, with escapes and commas inside quotes', () => {
    const [c] = parseCredentials('Digest username="al\\"ice, jr", realm="dialtone",nonce="n1" ,uri="sip:a@b;transport=udp", response="abc", algorithm=MD5, qop=auth, nc=00000001');
    expect(c?.scheme).toBe('Digest');
    expect(Object.fromEntries(c?.params ?? [])).toEqual({
      username: 'al"ice, jr',
      realm: 'dialtone',
      nonce: 'n1',
      uri: 'sip:a@b;transport=udp',
      response: 'abc',
      algorithm: 'MD5',
      qop: 'auth',
      nc: '00000001',
    });
  });

  it('splits credentials that drachtio-srf joined with a comma', () => {
    const all = parseCredentials('Digest username="a", realm="r1", Digest username="b", realm="r2"');
    expect(all.map((c) => [c.scheme, c.params.get('username'), c.params.get('realm')])).toEqual([
      ['Digest', 'a', 'r1'],
      ['Digest', 'b', 'r2'],
    ]);
  });

  it('names what is wrong with a malformed header', () => {
    const bad: Array<[string, RegExp]> = [
      ['', /empty/],
      ['Digest username="open', /unterminated quoted string/],
      ['Digest username="a" realm="b"', /expected ","/],
      ['Digest username="a", username="b"', /given twice/],
      ['Digest username="a",', /trailing comma/],
      ['Digest =x', /unexpected character/],
      ['Digest a=1, @', /unexpected character/],
      ['Digest ' + 'x=1, '.repeat(2000) + 'y=2', /too long/],
      ['Digest ' + Array.from({ length: 40 }, (_, i) => `p${i}=1`).join(', '), /too many parameters/],
    ];
    for (const [value, message] of bad) {
      expect(() => parseCredentials(value), value.slice(0, 40)).toThrow(DigestHeaderError);
      expect(() => parseCredentials(value), value.slice(0, 40)).toThrow(message);
    }
  });

  it('never throws anything but DigestHeaderError on random input', () => {
    const alphabet = 'Digest =",\\ \tabc123';
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 3000; i++) {
      const s = Array.from({ length: Math.floor(rnd() * 40) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      try {
        parseCredentials(s);
      } catch (err) {
        expect(err).toBeInstanceOf(DigestHeaderError);
      }
    }
  });

  it('quotes with escapes that parse back', () => {
    const text = 'a "b" \\ c';
    const [c] = parseCredentials(`Digest realm=${quote(text)}`);
    expect(c?.params.get('realm')).toBe(text);
  });
});
