import { describe, expect, it } from 'vitest';
import { SipHeaders } from '../../../engine/sipstack/message/headers.js';

describe('SipHeaders', () => {
  const make = (): SipHeaders =>
    SipHeaders.from([
      ['v', 'SIP/2.0/UDP a;branch=1, SIP/2.0/UDP b;branch=2'],
      ['From', '<sip:a@b>;tag=1'],
      ['VIA', 'SIP/2.0/UDP c;branch=3'],
      ['X-Thing', 'one'],
    ]);

  it('looks names up case-insensitively and through compact forms', () => {
    const h = make();
    expect(h.get('f')).toBe('<sip:a@b>;tag=1');
    expect(h.get('x-thing')).toBe('one');
    expect(h.lines('Via')).toEqual(['SIP/2.0/UDP a;branch=1, SIP/2.0/UDP b;branch=2', 'SIP/2.0/UDP c;branch=3']);
    expect(h.values('v')).toEqual(['SIP/2.0/UDP a;branch=1', 'SIP/2.0/UDP b;branch=2', 'SIP/2.0/UDP c;branch=3']);
    expect(h.has('to')).toBe(false);
    expect([...h].map((f) => f.name)).toEqual(['Via', 'From', 'VIA', 'X-Thing']);
  });

  it('prepends before the first field of the name, shifts the first value, sets and deletes', () => {
    const h = make();
    h.prepend('via', 'SIP/2.0/TCP top;branch=0');
    expect(h.values('via')[0]).toBe('SIP/2.0/TCP top;branch=0');
    expect(h.shift('via')).toBe('SIP/2.0/TCP top;branch=0');
    expect(h.shift('via')).toBe('SIP/2.0/UDP a;branch=1');
    expect(h.lines('via')).toEqual(['SIP/2.0/UDP b;branch=2', 'SIP/2.0/UDP c;branch=3']);
    h.set('v', 'SIP/2.0/UDP only;branch=9');
    expect(h.lines('via')).toEqual(['SIP/2.0/UDP only;branch=9']);
    expect([...h].map((f) => f.name)).toEqual(['Via', 'From', 'X-Thing']);
    h.delete('FROM').delete('x-thing');
    expect(h.size).toBe(1);
    expect(h.get('from')).toBeUndefined();
    expect(h.shift('contact')).toBeUndefined();
  });

  it('clones independently', () => {
    const h = make();
    const c = h.clone();
    c.delete('via');
    c.append('To', '<sip:x@y>');
    expect(h.values('via')).toHaveLength(3);
    expect(h.has('to')).toBe(false);
    expect(c.get('t')).toBe('<sip:x@y>');
    expect(c.has('via')).toBe(false);
  });
});
