import { describe, expect, it } from 'vitest';
import { kindOfFinalStatus } from '../../engine/outbound/call-outcome.js';
import { escapeUser, fromHeader, hostOfSipUri, quoteDisplayName } from '../../engine/outbound/from-header.js';

describe('the From header of an outbound call', () => {
  it('is a name-addr on the given host, else on the default one', () => {
    expect(fromHeader({ user: '+15550001' }, '192.0.2.1', false)).toBe('<sip:+15550001@192.0.2.1>');
    expect(fromHeader({ user: 'alice', host: 'example.com', displayName: 'Alice' }, '192.0.2.1', false)).toBe('"Alice" <sip:alice@example.com>');
    expect(fromHeader({ user: 'bob' }, 'example.com', true)).toBe('<sips:bob@example.com>');
    expect(fromHeader({ user: '' }, 'example.com', false)).toBe('<sip:example.com>');
    expect(fromHeader({ user: 'carol', displayName: '   ' }, 'example.com', false)).toBe('<sip:carol@example.com>');
  });

  it('escapes what a user part cannot hold, and quotes display names (RFC 3261 §25.1)', () => {
    expect(escapeUser('a b@c#d')).toBe('a%20b%40c%23d');
    expect(escapeUser('+1;npdi?x=y')).toBe('+1;npdi?x=y');
    expect(escapeUser('zoë')).toBe('zo%C3%AB');
    expect(quoteDisplayName('Say "hi" \\ bye')).toBe('"Say \\"hi\\" \\\\ bye"');
    expect(quoteDisplayName('two\r\nlines')).toBe('"two lines"');
  });

  it('finds the host of a SIP URI', () => {
    expect(hostOfSipUri('sip:+1555@198.51.100.1:5080;transport=tcp')).toBe('198.51.100.1');
    expect(hostOfSipUri('sips:example.com')).toBe('example.com');
    expect(hostOfSipUri('sip:bob@[2001:db8::1]:5060')).toBe('[2001:db8::1]');
    expect(hostOfSipUri('sip:+1;npdi@carrier.example?subject=x')).toBe('carrier.example');
  });
});

describe('final statuses as users see them', () => {
  it.each([
    [486, 'busy'], [600, 'busy'], [603, 'busy'],
    [408, 'no-answer'], [480, 'no-answer'],
    [404, 'failed'], [487, 'failed'], [500, 'failed'], [503, 'failed'], [302, 'failed'], [403, 'failed'],
  ] as const)('%i is %s', (status, kind) => {
    expect(kindOfFinalStatus(status)).toBe(kind);
  });
});
