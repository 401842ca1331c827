/**
 * A trunk's identity headers on an inbound INVITE (SIPp: P-Asserted-Identity
 * with a display name and verstat, Diversion, an Identity PASSporT attesting
 * A) reach the application as Twilio's CallerName, ForwardedFrom and
 * StirVerstat, on the voice request and on the status callbacks.
 */
import { describe, it } from 'vitest';
import { describeSipp } from '../support/sipp.js';
import { noContent, respond } from './helpers/app-server.js';
import { CallerMedia } from './helpers/caller-media.js';
import { startRouter } from './helpers/router-harness.js';

describe('caller identity from the INVITE', () => {
  it('CallerName, ForwardedFrom and StirVerstat come from P-Asserted-Identity, Diversion and Identity', async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'front', voice: '/voice', statusCallback: '/status', statusCallbackEvents: ['completed'] }] });
    onTestFinished(() => h.stop());
    h.app.on('/voice', respond('<Say>hello</Say><Hangup/>'));
    h.app.on('/status', noContent());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    const caller = await h.call({ scenario: 'forwarded', user: 'front', media });
    const result = await caller.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const expected = { CallerName: 'ACME Support', ForwardedFrom: '+15550002222', StirVerstat: 'TN-Validation-Passed-A' };
    expect(h.app.to('/voice')[0]?.params).toMatchObject(expected);
    const completed = await h.app.waitFor((r) => r.pathname === '/status', 10_000, 'the completed callback');
    expect(completed.params).toMatchObject(expected);
  });
});
