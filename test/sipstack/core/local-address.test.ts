import os from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { LocalAddress } from '../../../engine/sipstack/core/local-address.js';

function firstIpv4(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const i of list ?? []) if (i.family === 'IPv4' && !i.internal) return i.address;
  }
  return '127.0.0.1';
}

describe('the address a wildcard listener advertises', () => {
  it('is the first non-internal IPv4 interface, read once for many messages', () => {
    const expected = firstIpv4();
    const spy = vi.spyOn(os, 'networkInterfaces');
    try {
      const local = new LocalAddress([{ protocol: 'udp', local: { address: '0.0.0.0', port: 5060 } }]);
      const vias = Array.from({ length: 50 }, (_, i) => local.via('udp', `z9hG4bK-${i}`));
      expect(vias[0]).toBe(`SIP/2.0/UDP ${expected}:5060;rport;branch=z9hG4bK-0`);
      expect(local.contactUri('udp')).toBe(`sip:${expected}:5060`);
      expect(spy.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      spy.mockRestore();
    }
  });
});
