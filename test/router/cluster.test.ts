/**
 * Two engines as one system: they share a Redis and one SIP server (engine
 * A's embedded one; engine B connects to it as a drachtio-srf application,
 * as it would to a drachtio-server). New calls are spread over both; the
 * REST API of either lists every call, and redirects, records or hangs up
 * a call that the other one runs.
 */
import { describe, it } from 'vitest';
import type { StoredCall } from '../../engine/store/types.js';
import { waitUntil } from '../support/ports.js';
import { describeSipp, type SippProcess } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { respond } from './helpers/app-server.js';
import { startTwoEngines } from './helpers/two-engines.js';
import { CallerMedia } from './helpers/caller-media.js';
import { ACCOUNT_SID, AUTH_TOKEN } from './helpers/router-harness.js';

const CALLS = 4;

describe('a cluster of two engines on one Redis and one SIP server', () => {
  it('spreads calls over both; either API lists them all and updates a call the other runs', async ({ expect, onTestFinished }) => {
    // The test reads the records' owners from the store itself.
    const { a, b, records } = await startTwoEngines(onTestFinished, { applications: [{ id: 'hold', voice: '/voice' }], keyPrefix: 'cluster' });

    a.app.on('/voice', respond('<Pause length="25"/>'));
    a.app.on('/redirected', respond('<Say>moved</Say><Hangup/>'));
    const media = await Promise.all(Array.from({ length: CALLS }, () => CallerMedia.open()));
    onTestFinished(async () => void (await Promise.all(media.map((m) => m.close()))));
    const callers: SippProcess[] = [];
    for (const m of media) callers.push(await a.call({ scenario: 'answered', user: 'hold', media: m, timeoutSeconds: 30 }));

    const viaA = twilioClientFor(a.apiBase, ACCOUNT_SID, AUTH_TOKEN).client;
    const viaB = twilioClientFor(b.apiBase, ACCOUNT_SID, AUTH_TOKEN).client;
    await waitUntil(async () => (await viaA.calls.list({ status: 'in-progress' })).length === CALLS, 15_000, 'every call answered');
    expect(a.engine.stats().calls).toBeGreaterThanOrEqual(1);
    expect(b.engine.stats().calls).toBeGreaterThanOrEqual(1);
    expect(a.engine.stats().calls + b.engine.stats().calls).toBe(CALLS);

    const listedByA = (await viaA.calls.list()).map((c) => c.sid).sort();
    const listedByB = (await viaB.calls.list()).map((c) => c.sid).sort();
    expect(listedByA).toHaveLength(CALLS);
    expect(listedByB).toEqual(listedByA);

    const owners = new Map<string, string>();
    for (const sid of listedByA) owners.set(sid, (await records.calls.get(sid))?.engineId ?? '');
    const onB = listedByA.find((sid) => owners.get(sid) === 'engine-b') as string;
    const onA = listedByA.find((sid) => owners.get(sid) === 'engine-a') as string;

    // A recording of a call that B runs, started and paused through A's API: B records it.
    const recording = await viaA.calls(onB).recordings.create({ recordingTrack: 'inbound' });
    expect(recording).toMatchObject({ callSid: onB, status: 'in-progress' });
    expect((await viaA.calls(onB).recordings(recording.sid).update({ status: 'paused' })).status).toBe('paused');
    expect((await viaA.calls(onB).recordings('Twilio.CURRENT').fetch()).sid).toBe(recording.sid);

    // A redirect through A's API of a call that B runs: B fetches the new document.
    const redirected = await viaA.calls(onB).update({ url: a.app.url('/redirected'), method: 'POST' });
    expect(redirected.sid).toBe(onB);
    const fetched = await a.app.waitFor((r) => r.pathname === '/redirected', 10_000, 'the redirect document request');
    expect(fetched.params.CallSid).toBe(onB);

    // A hang-up through B's API of a call that A runs: A sends the BYE.
    await viaB.calls(onA).update({ status: 'completed' });
    await waitUntil(async () => (await viaB.calls(onA).fetch()).status === 'completed', 10_000, 'the hung-up call completed');
    await waitUntil(async () => (await viaA.calls(onB).fetch()).status === 'completed', 10_000, 'the redirected call completed');
    // Its recording ended with it, on B, and is in the shared store.
    await waitUntil(async () => (await viaA.recordings(recording.sid).fetch()).status === 'completed', 10_000, 'the recording completed');

    // Each caller is a SIPp of its own, whose Call-IDs hold its pid ("1-<pid>@host").
    const callerOf = (sid: string): SippProcess | undefined => {
      const callId = a.app.to('/voice').find((r) => r.params.CallSid === sid)?.params.SipCallId ?? '';
      return callers.find((c) => callId.includes(`-${c.pid}@`));
    };
    for (const sid of [onA, onB]) {
      const caller = callerOf(sid);
      expect(caller, `the SIPp that placed ${sid}`).toBeDefined();
      const result = await (caller as SippProcess).done;
      expect(result.exitCode, describeSipp(result)).toBe(0);
      expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);
    }

    // A call whose engine does not answer (gone without a word): 503 with Twilio's error body, not a hang.
    const stray = (await records.calls.get(onA)) as StoredCall;
    records.calls.put({ ...stray, sid: 'CA' + 'e'.repeat(32), status: 'in-progress', endTime: undefined, engineId: 'engine-gone' });
    await records.flush();
    const started = Date.now();
    const res = await fetch(`${a.apiBase}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${'CA' + 'e'.repeat(32)}.json`, {
      method: 'POST',
      headers: { authorization: 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Status=completed',
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 20503, status: 503 });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
