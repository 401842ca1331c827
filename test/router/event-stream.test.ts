/**
 * The engine's one stream of domain events, as a subscriber sees it for a
 * real call (SIPp caller, a document with <Record>, its action hanging up):
 * the call's progress, each webhook request and answer, each verb, the
 * recording, every event naming the account, and the call where it has one.
 * The status callbacks the application gets are a subscriber of the same
 * stream.
 */
import { describe, it } from 'vitest';
import type { EngineEvent } from '../../engine/events/engine-events.js';
import { respond } from './helpers/app-server.js';
import { CallerMedia } from './helpers/caller-media.js';
import { recordOneCall } from './helpers/record-call.js';
import { ACCOUNT_SID, startRouter } from './helpers/router-harness.js';

describe('the event stream', () => {
  it('carries a call from initiated to completed: webhooks, verbs and the recording between, in order', async ({ expect, onTestFinished }) => {
    const h = await startRouter({
      applications: [{ id: 'voicemail', voice: '/voice', statusCallback: '/status', statusCallbackEvents: ['initiated', 'ringing', 'answered', 'completed'] }],
    });
    onTestFinished(() => h.stop());
    h.app.on('/status', respond(''));
    const events: EngineEvent[] = [];
    const unsubscribe = h.engine.events.subscribe((e) => events.push(e));
    onTestFinished(unsubscribe);
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());

    const { recordingSid } = await recordOneCall(h, media);
    await h.app.waitForCount('/status', 4, 10_000);
    const callSid = events.find((e) => e.type === 'call.initiated')?.callSid;
    const all = events.filter((e) => e.callSid === callSid);
    // Status callbacks go out beside the call's own progress: they are checked apart, below.
    const isStatusCallback = (e: EngineEvent): boolean => (e.type === 'webhook.requested' || e.type === 'webhook.answered') && e.purpose === 'status-callback';
    const mine = all.filter((e) => !isStatusCallback(e));
    const described = mine.map((e) => {
      if (e.type === 'webhook.requested' || e.type === 'webhook.answered') return `${e.type} ${new URL(e.url).pathname}`;
      if (e.type === 'verb.started') return `${e.type} ${e.verb}`;
      return e.type;
    });
    expect(described).toEqual([
      'call.initiated',
      'call.ringing',
      'webhook.requested /voice',
      'webhook.answered /voice',
      'verb.started Record',
      'call.answered',
      'recording.completed',
      'webhook.requested /recorded',
      'webhook.answered /recorded',
      'verb.started Hangup',
      'call.completed',
    ]);
    for (const e of mine) expect(e.accountSid).toBe(ACCOUNT_SID);
    const answered = mine.find((e) => e.type === 'webhook.answered');
    expect(answered).toMatchObject({ status: 200 });
    expect(answered && 'latencyMs' in answered ? answered.latencyMs : -1).toBeGreaterThanOrEqual(0);
    expect(mine.find((e) => e.type === 'recording.completed')).toMatchObject({ recording: { sid: recordingSid, callSid } });
    expect(mine.find((e) => e.type === 'call.completed')).toMatchObject({ applicationId: 'voicemail', call: { sid: callSid, status: 'completed' } });
    const callbacks = all.filter(isStatusCallback).filter((e) => e.type === 'webhook.answered');
    expect(callbacks.map((e) => (e.type === 'webhook.answered' ? [new URL(e.url).pathname, e.status, e.params.CallStatus] : []))).toEqual([
      ['/status', 200, 'initiated'],
      ['/status', 200, 'ringing'],
      ['/status', 200, 'in-progress'],
      ['/status', 200, 'completed'],
    ]);
    // The status callbacks are that stream's progress events, in the same order.
    expect(h.app.to('/status').map((r) => r.params.CallStatus)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
  });
});
