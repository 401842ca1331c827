/**
 * Status callbacks for initiated, ringing, answered and completed arrive in
 * that order, numbered by SequenceNumber from 0, each signed and carrying
 * the call's parameters; completed has CallDuration.
 */
import { describe, it } from 'vitest';
import { describeSipp } from '../support/sipp.js';
import { noContent, respond } from './helpers/app-server.js';
import { expectCallRequest } from './helpers/call-expectations.js';
import { CallerMedia } from './helpers/caller-media.js';
import { startRouter } from './helpers/router-harness.js';

describe('status callbacks', () => {
  it('initiated, ringing, answered, completed in order with increasing SequenceNumber', async ({ expect, onTestFinished }) => {
    const h = await startRouter({
      applications: [
        { id: 'events', voice: '/voice', statusCallback: '/status', statusCallbackEvents: ['initiated', 'ringing', 'answered', 'completed'] },
      ],
    });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    h.app.on('/voice', respond('<Say>Short.</Say><Hangup/>'));
    h.app.on('/status', noContent());

    const result = await (await h.call({ scenario: 'answered', user: 'events', media })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);

    const all = await h.app.waitForCount('/status', 4, 5000);
    expect(all).toHaveLength(4);
    const sid = h.app.to('/voice')[0]?.params.CallSid;
    for (const cb of all) {
      expect(expectCallRequest(expect, cb, { user: 'events' })).toBe(sid);
      expect(cb.params.Timestamp).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    }
    expect(all.map((r) => r.params.CallStatus)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
    expect(all.map((r) => Number(r.params.SequenceNumber))).toEqual([0, 1, 2, 3]);
    expect(Number(all[3]!.params.CallDuration)).toBeGreaterThanOrEqual(0);
    expect(all[3]!.params.CallDuration).toMatch(/^\d+$/);
  });
});
