/**
 * The ringing part of <Dial> in the interpreter, with fake called parties
 * that ring (onRinging) before they answer or give up: which ringback the
 * caller's endpoint plays and when it stops, the caller that answerOnBridge
 * leaves unanswered, and a record-from-ringing recording of a Dial nobody
 * answered.
 */
import { describe, expect, test, vi } from 'vitest';
import { runInstructions, type DialAttempt, type DialLegRequest } from '../../../instructions/runtime/index.js';
import { doc, FakeCall, FakeLeg, type Op } from './fakes.js';

const APP = 'http://app.test/voice';
const ACTION = 'http://app.test/dialed';
const first = { url: APP, method: 'POST' as const };
const UK = 'tone_stream://%(400,200,400,450);%(400,2000,400,450)';
const US = 'tone_stream://%(2000,4000,440,480)';

/** A party that rings (180) at once and then answers, or gives up, after `ms`. */
function ringsThen(outcome: () => DialAttempt, ms: number, sipStatus = 180): (req: DialLegRequest) => Promise<DialAttempt> {
  return (req) =>
    new Promise((resolve) => {
      setTimeout(() => req.onRinging?.(sipStatus), 5);
      const timer = setTimeout(() => resolve(outcome()), ms);
      req.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve({ status: 'canceled', reason: 'canceled' });
      });
    });
}

const plays = (call: FakeCall): Extract<Op, { op: 'play' }>[] => call.endpoint.ops.flatMap((o) => (o.op === 'play' ? [o] : []));

describe('<Dial> while it rings', () => {
  test('a +44 number without ringTone: the caller hears the UK ringback, looped, until the party answers', async () => {
    const call = new FakeCall({ [APP]: doc(`<Dial action="${ACTION}">+44 20 7946 0000</Dial>`), [ACTION]: doc('<Hangup/>') }, { promptMs: 60_000 });
    const leg = new FakeLeg('CAleg');
    call.dial = ringsThen(() => ({ answered: leg }), 150);
    const running = runInstructions(call, first);
    await vi.waitFor(() => expect(plays(call)).toHaveLength(1));
    expect(plays(call)[0]).toMatchObject({ url: UK, opts: { loop: 0 }, end: 'running' });
    await vi.waitFor(() => expect(plays(call)[0]?.end).toBe('stopped'));
    leg.calleeHangup();
    await running;
    expect(call.fetches.find((f) => f.request.url === ACTION)?.request.params).toMatchObject({ DialCallStatus: 'completed' });
  });

  test('ringTone wins over the number; the tone stops when the Dial gives up', async () => {
    const call = new FakeCall({ [APP]: doc(`<Dial ringTone="us" action="${ACTION}">+44 20 7946 0000</Dial>`), [ACTION]: doc('<Hangup/>') }, { promptMs: 60_000 });
    call.dial = ringsThen(() => ({ status: 'no-answer', reason: 'timeout', callSid: 'CAleg' }), 100);
    await runInstructions(call, first);
    expect(plays(call)).toEqual([expect.objectContaining({ url: US, end: 'stopped' })]);
  });

  test('a 183 (early media expected) holds the ringback back: the early media comes instead', async () => {
    const call = new FakeCall({ [APP]: doc(`<Dial ringTone="uk" action="${ACTION}">+15550001111</Dial>`), [ACTION]: doc('<Hangup/>') }, { promptMs: 60_000 });
    const leg = new FakeLeg('CAleg');
    call.dial = (req) =>
      new Promise((resolve) => {
        setTimeout(() => req.onRinging?.(183), 5);
        setTimeout(() => req.onEarlyMedia?.(leg.endpoint), 20);
        setTimeout(() => resolve({ answered: leg }), 600);
      });
    const running = runInstructions(call, first);
    await vi.waitFor(() => expect(call.fetches.some((f) => f.request.url === APP)).toBe(true));
    await new Promise((r) => setTimeout(r, 500));
    expect(plays(call)).toEqual([]);
    leg.calleeHangup();
    await running;
  });

  test('answerOnBridge: without ringTone the unanswered caller gets no media (its phone rings); with ringTone it gets 183 and the tone', async () => {
    const quiet = new FakeCall({ [APP]: doc(`<Dial answerOnBridge="true" action="${ACTION}">+15550001111</Dial>`), [ACTION]: doc('<Hangup/>') }, { promptMs: 60_000 });
    quiet.dial = ringsThen(() => ({ status: 'busy', reason: 'busy', sipStatus: 486 }), 80);
    await runInstructions(quiet, first);
    expect(quiet.events).not.toContain('early-media');
    expect(plays(quiet)).toEqual([]);

    const toned = new FakeCall({ [APP]: doc(`<Dial answerOnBridge="true" ringTone="jp" action="${ACTION}">+15550001111</Dial>`), [ACTION]: doc('<Hangup/>') }, { promptMs: 60_000 });
    toned.dial = ringsThen(() => ({ status: 'busy', reason: 'busy', sipStatus: 486 }), 80);
    await runInstructions(toned, first);
    expect(toned.events).toContain('early-media');
    expect(plays(toned)).toEqual([expect.objectContaining({ url: 'tone_stream://%(1000,2000,392,408)' })]);
  });

  test('record-from-ringing: nobody answers, the recording of the ringing is still saved and given to the action', async () => {
    const call = new FakeCall({ [APP]: doc(`<Dial record="record-from-ringing" action="${ACTION}">+15550001111</Dial>`), [ACTION]: doc('<Hangup/>') }, { promptMs: 60_000 });
    call.dial = ringsThen(() => ({ status: 'no-answer', reason: 'timeout', callSid: 'CAleg' }), 100);
    await runInstructions(call, first);
    const params = call.fetches.find((f) => f.request.url === ACTION)?.request.params;
    // 100 ms of ringing: a recording of 0 seconds, saved all the same.
    expect(params).toMatchObject({ DialCallStatus: 'no-answer', RecordingSid: call.saved[0]?.sid, RecordingDuration: '0' });
    expect(call.saved).toEqual([expect.objectContaining({ source: 'DialVerb', channels: 1 })]);
    expect(call.endpoint.ops.filter((o) => o.op === 'recordCall')).toEqual([expect.objectContaining({ opts: expect.objectContaining({ track: 'both', channels: 1 }) })]);
  });
});
