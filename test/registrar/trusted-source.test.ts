/**
 * With SIP users configured, a source in allowedSources (a trunk) still
 * calls in without credentials: the application's document runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSipp } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { respond } from '../router/helpers/app-server.js';
import { CallerMedia } from '../router/helpers/caller-media.js';
import { routerScenario } from '../router/helpers/router-harness.js';
import { startRegistrar, type RegistrarHarness } from './helpers/registrar-harness.js';

let h: RegistrarHarness;

beforeAll(async () => {
  h = await startRegistrar({ users: [{ username: 'alice', password: 'pw' }], allowedSources: ['127.0.0.1'] });
  h.app.on('/voice', respond('<Hangup/>'));
});

afterAll(async () => {
  await h?.stop();
});

describe('a trusted source with users configured', () => {
  it('is not challenged', async () => {
    const media = await CallerMedia.open();
    try {
      const sipp = await h.sipp.start({ scenario: routerScenario('answered'), remote: h.sipTarget, service: '100', keys: media.sippKeys, timeoutSeconds: 15 });
      const result = await sipp.done;
      expect(result.exitCode, describeSipp(result)).toBe(0);
      expect(findMessages(result.trace, { direction: 'received', status: 407 })).toEqual([]);
      expect(h.app.to('/voice')).toHaveLength(1);
    } finally {
      media.close();
    }
  });
});
