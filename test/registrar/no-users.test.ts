/**
 * Without SIP users the engine is no registrar, and calls are screened by
 * allowedSources alone, as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { header } from '../support/sip-wire-peer.js';
import { startRegistrar, type RegistrarHarness } from './helpers/registrar-harness.js';
import { SipClient } from './helpers/sip-client.js';

let h: RegistrarHarness;

beforeAll(async () => {
  h = await startRegistrar({ users: [] });
});

afterAll(async () => {
  await h?.stop();
});

describe('an engine without SIP users', () => {
  it('answers REGISTER with 405 Method Not Allowed and an Allow header', async () => {
    const c = await SipClient.open(h.sip);
    try {
      const res = await c.register({ username: 'alice', contact: `<sip:alice@${c.local.address}:${c.local.port}>` });
      expect(res.status).toBe(405);
      expect(header(res, 'allow')).toMatch(/\bINVITE\b/);
      expect(header(res, 'allow')).not.toMatch(/REGISTER/);
      expect(h.engine.stats().registrar).toMatchObject({ users: 0, bindings: 0 });
    } finally {
      await c.close();
    }
  });
});
