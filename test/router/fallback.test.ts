/**
 * When the primary URL fails, the same request goes to the fallback URL with
 * ErrorCode and ErrorUrl added (Twilio's codes), and the fallback's document
 * runs; with no fallback the caller hears a short spoken error and the engine
 * hangs up.
 */
import { describe, it } from 'vitest';
import { describeSipp } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { hang, httpStatus, invalidXml, respond, wrongContentType, type Reply } from './helpers/app-server.js';
import { audible, expectCallRequest } from './helpers/call-expectations.js';
import { CallerMedia, PT_PCMU } from './helpers/caller-media.js';
import { startRouter, type TestApplication } from './helpers/router-harness.js';

interface FallbackCase {
  name: string;
  primary: Reply;
  errorCode: string;
  timeouts?: TestApplication['timeouts'];
  /** The fallback comes no sooner than this after the primary request, and no later than maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

const cases: FallbackCase[] = [
  { name: 'primary answers 500', primary: httpStatus(500, 'boom'), errorCode: '11200' },
  {
    name: 'primary never answers (response timeout)',
    primary: hang(),
    errorCode: '11205',
    timeouts: { connectTimeoutMs: 1000, connectAttempts: 1, responseTimeoutMs: 400 },
    // The timeout runs from the engine's send; the server sees the request a little later.
    minDelayMs: 300,
    maxDelayMs: 2000,
  },
  { name: 'primary returns a body that is not XML', primary: invalidXml(), errorCode: '12100' },
  { name: 'primary returns instructions as text/plain', primary: wrongContentType(), errorCode: '12300' },
];

describe.concurrent('fallback URL', () => {
  it.for(cases)('$name -> fallback with ErrorCode $errorCode and ErrorUrl, and its document runs', async ({ primary, errorCode, timeouts, minDelayMs, maxDelayMs }, { expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'fb', voice: '/voice', fallback: '/fallback', timeouts }] });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    h.app.on('/voice', primary);
    h.app.on('/fallback', respond('<Say>The fallback is speaking.</Say><Hangup/>'));

    const result = await (await h.call({ scenario: 'answered', user: 'fb', media })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);

    const [first] = h.app.to('/voice');
    const fallbacks = h.app.to('/fallback');
    expect(first).toBeDefined();
    expect(fallbacks).toHaveLength(1);
    const fb = fallbacks[0]!;
    const sid = expectCallRequest(expect, fb, { user: 'fb' });
    expect(sid).toBe(first!.params.CallSid);
    expect(fb.params.ErrorCode).toBe(errorCode);
    expect(fb.params.ErrorUrl).toBe(h.app.url('/voice'));
    // The same request otherwise.
    for (const [name, value] of Object.entries(first!.params)) expect(fb.params[name], name).toBe(value);
    if (minDelayMs !== undefined) expect(fb.at - first!.at).toBeGreaterThanOrEqual(minDelayMs);
    if (maxDelayMs !== undefined) expect(fb.at - first!.at).toBeLessThanOrEqual(maxDelayMs);
    // The fallback's prompt was heard.
    expect(audible(media.packetsOf(PT_PCMU)).length).toBeGreaterThan(20);
  });

  it('no fallback and the primary fails -> a short spoken error, then BYE', async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'nofb', voice: '/voice', statusCallback: '/status', statusCallbackEvents: ['completed'] }] });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    h.app.on('/voice', httpStatus(503));
    h.app.on('/status', httpStatus(204));

    const result = await (await h.call({ scenario: 'answered', user: 'nofb', media })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' }).length).toBeGreaterThanOrEqual(1);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);
    // The spoken error: audible PCMU, a short one (under 10 s).
    const spoken = media.packetsOf(PT_PCMU);
    expect(audible(spoken).length).toBeGreaterThan(10);
    expect(spoken.length).toBeLessThan(500);
    expect(h.app.to('/voice')).toHaveLength(1);
    // The failure reaches the status callback with the end of the call.
    const done = await h.app.waitFor((r) => r.pathname === '/status' && r.params.CallStatus === 'completed', 5000, 'completed status callback');
    expectCallRequest(expect, done, { user: 'nofb' });
    expect(done.params.ErrorCode).toBe('11200');
    expect(done.params.ErrorUrl).toBe(h.app.url('/voice'));
  });
});
