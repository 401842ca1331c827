import { describe, expect, it } from 'vitest';
import { parseEngineConfig } from '../../config/load-engine-config.js';
import { isCallSid, newCallSid, routeInbound, SourceAllowList, sipUriParts, type RouteDecision } from '../../engine/routing/index.js';

const ACCOUNT = 'AC' + '1'.repeat(32);
const OTHER = 'AC' + '2'.repeat(32);

const config = parseEngineConfig({
  accounts: [
    { id: ACCOUNT, authToken: 'first-token' },
    { id: OTHER, authToken: 'second-token' },
  ],
  applications: [
    { id: 'menu', account: ACCOUNT, voiceUrl: 'http://127.0.0.1:3000/menu' },
    { id: 'sales', account: OTHER, voiceUrl: 'http://127.0.0.1:3000/sales' },
    { id: 'support', account: ACCOUNT, voiceUrl: 'http://127.0.0.1:3000/support' },
    { id: 'fallthrough', account: ACCOUNT, voiceUrl: 'http://127.0.0.1:3000/default' },
  ],
  routes: {
    users: { '100': 'menu', '+15551234567': 'sales', 'alice smith': 'support' },
    domains: { 'Support.Example.com': 'support' },
    default: 'fallthrough',
  },
  allowedSources: ['127.0.0.1', '10.0.0.0/8', '192.168.1.0/24', '2001:db8::/32', '::1'],
});

function appOf(decision: RouteDecision): string {
  if ('reject' in decision) return `reject ${decision.reject}`;
  return `${decision.application.id} by ${decision.matchedBy} (${decision.account.authToken})`;
}

const route = (requestUri: string, to?: string, sourceAddress = '127.0.0.1'): string => appOf(routeInbound(config, { requestUri, to, sourceAddress }));

describe('routeInbound', () => {
  it('routes by the dialled user part of the Request-URI, with the application\'s account', () => {
    expect(route('sip:100@pbx.example.com')).toBe('menu by user (first-token)');
    expect(route('sip:+15551234567@trunk.example.net:5060;transport=udp;user=phone')).toBe('sales by user (second-token)');
    expect(route('sips:100;npdi@pbx.example.com')).toBe('menu by user (first-token)');
    expect(route('sip:alice%20smith@pbx.example.com')).toBe('support by user (first-token)');
    expect(route('tel:+15551234567;phone-context=example.com')).toBe('sales by user (second-token)');
  });

  it('then by the user part of To', () => {
    expect(route('sip:gateway@10.0.0.5', '"Main line" <sip:100@pbx.example.com>;tag=abc')).toBe('menu by user (first-token)');
    expect(route('sip:10.0.0.5', 'sip:+15551234567@x.example')).toBe('sales by user (second-token)');
  });

  it('then by the SIP domain, case-insensitively', () => {
    expect(route('sip:999@SUPPORT.example.COM')).toBe('support by domain (first-token)');
    expect(route('sip:support.example.com:5061;transport=tls')).toBe('support by domain (first-token)');
  });

  it('then the default; without a default, 404', () => {
    expect(route('sip:999@elsewhere.example')).toBe('fallthrough by default (first-token)');
    const noDefault = parseEngineConfig({
      accounts: [{ id: ACCOUNT, authToken: 'first-token' }],
      applications: [{ id: 'menu', voiceUrl: 'http://127.0.0.1:3000/menu' }],
      routes: { users: { '100': 'menu' } },
    });
    expect(appOf(routeInbound(noDefault, { requestUri: 'sip:100@h', sourceAddress: '203.0.113.9' }))).toBe('menu by user (first-token)');
    const miss = routeInbound(noDefault, { requestUri: 'sip:999@h', sourceAddress: '203.0.113.9' });
    expect(miss).toMatchObject({ reject: 404 });
    expect(routeInbound(noDefault, { requestUri: 'garbage', sourceAddress: '203.0.113.9' })).toMatchObject({ reject: 404 });
  });

  it('refuses sources outside the allow list with 403, before routing', () => {
    expect(route('sip:100@pbx.example.com', undefined, '10.200.3.4')).toBe('menu by user (first-token)');
    expect(route('sip:100@pbx.example.com', undefined, '192.168.1.77')).toBe('menu by user (first-token)');
    expect(route('sip:100@pbx.example.com', undefined, '::ffff:10.1.1.1')).toBe('menu by user (first-token)');
    expect(route('sip:100@pbx.example.com', undefined, '2001:db8:1::5')).toBe('menu by user (first-token)');
    expect(route('sip:100@pbx.example.com', undefined, '::1')).toBe('menu by user (first-token)');
    for (const address of ['192.168.2.1', '11.0.0.1', '127.0.0.2', '2001:db9::1', '::2', 'not-an-address', '']) {
      expect(route('sip:100@pbx.example.com', undefined, address)).toBe('reject 403');
    }
  });
});

describe('SourceAllowList', () => {
  it('an empty list allows everyone; a bad entry throws', () => {
    expect(new SourceAllowList([]).allows('198.51.100.1')).toBe(true);
    expect(() => new SourceAllowList(['10.0.0.0/8', 'nope'])).toThrow(/nope/);
  });

  it('matches CIDR edges exactly', () => {
    const list = new SourceAllowList(['172.16.0.0/12', 'fe80::/10']);
    expect(list.allows('172.16.0.0')).toBe(true);
    expect(list.allows('172.31.255.255')).toBe(true);
    expect(list.allows('172.32.0.0')).toBe(false);
    expect(list.allows('172.15.255.255')).toBe(false);
    expect(list.allows('fe80::1')).toBe(true);
    expect(list.allows('febf:ffff::1')).toBe(true);
    expect(list.allows('fec0::1')).toBe(false);
    expect(list.allows('[fe80::1]')).toBe(true);
  });
});

describe('sipUriParts', () => {
  it.each([
    ['sip:bob@Example.COM', { scheme: 'sip', user: 'bob', host: 'example.com' }],
    ['sip:bob:secret@example.com:5060;transport=tcp?subject=x', { scheme: 'sip', user: 'bob', host: 'example.com' }],
    ['<sips:carol@[2001:db8::1]:5061>', { scheme: 'sips', user: 'carol', host: '2001:db8::1' }],
    ['"A, B" <sip:+1555@gw.example;user=phone>;tag=9', { scheme: 'sip', user: '+1555', host: 'gw.example' }],
    ['sip:example.com', { scheme: 'sip', user: undefined, host: 'example.com' }],
    ['tel:+1-555-0100', { scheme: 'tel', user: '+1-555-0100' }],
  ])('%s', (input, expected) => {
    expect(sipUriParts(input)).toEqual(expected);
  });

  it.each(['http://example.com', 'bob@example.com', '<sip:bob@example.com', 'sip:', 'sip:bob@', 'sip:[::1'])('rejects %s', (input) => {
    expect(sipUriParts(input)).toBeUndefined();
  });
});

describe('newCallSid', () => {
  it('is CA followed by 32 hex digits, and unique', () => {
    const sids = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const sid = newCallSid();
      expect(sid).toMatch(/^CA[0-9a-f]{32}$/);
      sids.add(sid);
    }
    expect(sids.size).toBe(10_000);
    expect(isCallSid(newCallSid())).toBe(true);
    expect(isCallSid('CA123')).toBe(false);
  });
});
