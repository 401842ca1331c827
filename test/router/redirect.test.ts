/**
 * <Redirect>: the next document comes from the Redirect's URL (a relative
 * URL resolved against the running document's URL) with the given method,
 * and replaces the running one: verbs after the Redirect never run.
 */
import { describe, it } from 'vitest';
import { describeSipp } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { respond } from './helpers/app-server.js';
import { audible, expectCallRequest } from './helpers/call-expectations.js';
import { CallerMedia, PT_PCMU } from './helpers/caller-media.js';
import { startRouter } from './helpers/router-harness.js';

describe.concurrent('Redirect', () => {
  it.for(['POST', 'GET'] as const)('relative URL, method %s: the next document replaces the running one', async (method, { expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'redir', voice: '/app/voice' }] });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    h.app.on('/app/voice', respond(`<Say>One moment.</Say><Redirect method="${method}">step-two?from=voice</Redirect><Say>Never spoken.</Say>`));
    h.app.on('/app/step-two', respond('<Say>Step two.</Say><Hangup/>'));

    const result = await (await h.call({ scenario: 'answered', user: 'redir', media })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);

    expect(h.app.requests.map((r) => r.pathname)).toEqual(['/app/voice', '/app/step-two']);
    const [first, next] = h.app.requests;
    expect(next!.method).toBe(method);
    expect(next!.path.startsWith('/app/step-two?')).toBe(true);
    expect(new URL(next!.url).searchParams.get('from')).toBe('voice');
    const sid = expectCallRequest(expect, next!, { user: 'redir' });
    expect(sid).toBe(first!.params.CallSid);
    // Both prompts were heard: sound before and after the redirect request.
    const pcmu = media.packetsOf(PT_PCMU);
    expect(audible(pcmu.filter((p) => p.at < next!.at)).length).toBeGreaterThan(5);
    expect(audible(pcmu.filter((p) => p.at > next!.at)).length).toBeGreaterThan(5);
  });
});
