/**
 * The caller hangs up in the middle of a long <Say>: the engine answers the
 * BYE with 200, stops the prompt at once (no more RTP), reports the call
 * completed to the status callback and keeps nothing about it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'vitest';
import { waitUntil } from '../support/ports.js';
import { describeSipp } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { noContent, respond } from './helpers/app-server.js';
import { expectCallRequest } from './helpers/call-expectations.js';
import { CallerMedia, PT_PCMU } from './helpers/caller-media.js';
import { startRouter } from './helpers/router-harness.js';

const LONG = 'This prompt is long enough that the caller will hang up well before it ends, however fast it is spoken.';

describe('caller hangs up during a Say', () => {
  it('BYE answered, audio stops, status callback completed, no live calls left', async ({ expect, onTestFinished }) => {
    const h = await startRouter({
      applications: [{ id: 'long', voice: '/voice', statusCallback: '/status', statusCallbackEvents: ['completed'] }],
    });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    h.app.on('/voice', respond(`<Say loop="5">${LONG}</Say><Say>After the loop.</Say>`));
    h.app.on('/status', noContent());

    const result = await (await h.call({ scenario: 'hangup', user: 'long', media, hangupAfterMs: 1500 })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'BYE' })).toHaveLength(1);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(0);

    const completed = await h.app.waitFor((r) => r.pathname === '/status' && r.params.CallStatus === 'completed', 5000, 'completed status callback');
    expectCallRequest(expect, completed, { user: 'long' });
    expect(completed.params.CallSid).toBe(h.app.to('/voice')[0]?.params.CallSid);
    const duration = Number(completed.params.CallDuration);
    expect(duration).toBeGreaterThanOrEqual(1);
    expect(duration).toBeLessThanOrEqual(3);

    await waitUntil(() => h.engine.stats().calls === 0, 5000, 'no live calls');
    expect(h.engine.stats().endpoints).toBe(0);
    // The prompt stopped: nothing more arrives once the call is gone.
    const count = media.packetsOf(PT_PCMU).length;
    expect(count).toBeGreaterThan(30);
    expect(count).toBeLessThan(1500 / 20 + 40);
    await sleep(300);
    expect(media.packetsOf(PT_PCMU).length).toBe(count);
    expect(h.app.to('/voice')).toHaveLength(1);
  });
});
