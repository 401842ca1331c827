import { describe, expect, it } from 'vitest';
import { contactTarget } from '../../engine/outbound/contact-target.js';
import type { Binding } from '../../engine/registrar/registrar.js';

function binding(contactUri: string, source: Binding['source']): Binding {
  return { username: 'alice', contactUri, source, expiresAt: Date.now() + 60_000, callId: 'c', cseq: 1 };
}

describe('contactTarget', () => {
  it('keeps the registered Contact as Request-URI and sends to the address and transport the REGISTER came from', () => {
    expect(contactTarget(binding('sip:alice@10.0.0.5:5060', { protocol: 'udp', address: '203.0.113.7', port: 40123 }))).toEqual({
      requestUri: 'sip:alice@10.0.0.5:5060',
      proxy: 'sip:203.0.113.7:40123;transport=udp',
    });
    expect(contactTarget(binding('sip:x7k2@df7jal23ls0d.invalid;transport=ws', { protocol: 'ws', address: '198.51.100.2', port: 51000 })).proxy).toBe(
      'sip:198.51.100.2:51000;transport=ws',
    );
    expect(contactTarget(binding('sip:alice@[2001:db8::5]:5062;transport=tcp', { protocol: 'tcp', address: '2001:db8::5', port: 5062 })).proxy).toBe(
      'sip:[2001:db8::5]:5062;transport=tcp',
    );
  });
});
