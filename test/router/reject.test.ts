/**
 * <Reject> refuses a call without answering it: the application is asked
 * before the 200 OK, so reason="busy" gives 486 and reason="rejected" 603,
 * with no 200 and no media. A call no application matches gets 404.
 */
import { describe, it } from 'vitest';
import { describeSipp } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { respond } from './helpers/app-server.js';
import { expectCallRequest } from './helpers/call-expectations.js';
import { CallerMedia } from './helpers/caller-media.js';
import { startRouter } from './helpers/router-harness.js';

describe.concurrent('Reject', () => {
  it('reason="busy" -> 486 Busy Here, never a 200, no media; the status callback says busy', async ({ expect, onTestFinished }) => {
    const h = await startRouter({
      applications: [{ id: 'busy', voice: '/voice', statusCallback: '/status', statusCallbackEvents: ['completed'] }],
    });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    h.app.on('/voice', respond('<Reject reason="busy"/>'));
    h.app.on('/status', { kind: 'status', status: 204 });

    const result = await (await h.call({ scenario: 'busy', user: 'busy', media })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const finals = findMessages(result.trace, { direction: 'received', cseqMethod: 'INVITE' }).filter((m) => (m.status ?? 0) >= 200);
    expect(finals.map((m) => m.status)).toEqual(expect.arrayContaining([486]));
    expect(finals.every((m) => m.status === 486)).toBe(true);
    expect(findMessages(result.trace, { direction: 'sent', method: 'ACK' })).toHaveLength(1);
    expect(media.packets).toHaveLength(0);

    expectCallRequest(expect, h.app.to('/voice')[0]!, { user: 'busy', status: 'ringing' });
    const status = await h.app.waitFor((r) => r.pathname === '/status', 5000, 'status callback');
    expect(status.params.CallStatus).toBe('busy');
    expect(status.params.SipResponseCode).toBe('486');
  });

  it('reason="rejected" -> 603 Decline, never a 200', async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'decline', voice: '/voice' }] });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    h.app.on('/voice', respond('<Reject reason="rejected"/>'));

    const result = await (await h.call({ scenario: 'error', user: 'decline', media })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const finals = findMessages(result.trace, { direction: 'received', cseqMethod: 'INVITE' }).filter((m) => (m.status ?? 0) >= 200);
    expect([...new Set(finals.map((m) => m.status))]).toEqual([603]);
    expect(media.packets).toHaveLength(0);
  });

  it('a number no application serves -> 404, and no webhook', async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'only', voice: '/voice' }] });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());

    const result = await (await h.call({ scenario: 'error', user: 'nobody-here', media })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const finals = findMessages(result.trace, { direction: 'received', cseqMethod: 'INVITE' }).filter((m) => (m.status ?? 0) >= 200);
    expect([...new Set(finals.map((m) => m.status))]).toEqual([404]);
    expect(h.app.requests).toHaveLength(0);
  });
});
