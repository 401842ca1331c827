import { describe, expect, test, vi } from 'vitest';
import { APPLICATION_ERROR_TEXT, runInstructions } from '../../../instructions/runtime/index.js';
import { doc, FakeCall } from './fakes.js';

const APP = 'http://app.test/voice';
const first = { url: APP, method: 'POST' as const };

/** Resolves once the endpoint has started an operation matching `pred`. */
async function started(call: FakeCall, pred: (op: FakeCall['endpoint']['ops'][number]) => boolean): Promise<void> {
  await vi.waitFor(() => {
    if (!call.endpoint.ops.some(pred)) throw new Error('not yet');
  }, { timeout: 2000, interval: 2 });
}

describe('document flow', () => {
  test('Say then Hangup: answers on the first media verb, speaks, hangs up', async () => {
    const call = new FakeCall({ [APP]: doc('<Say voice="alice" language="en-GB" loop="2">Hello</Say><Hangup/>') });
    const result = await runInstructions(call, first);
    expect(result).toEqual({ end: 'hangup-verb', documents: 1 });
    expect(call.events).toEqual(['answer', 'hangup']);
    const say = call.endpoint.ops[0];
    expect(say).toMatchObject({ op: 'say', text: 'Hello', opts: { voice: 'alice', language: 'en-GB', loop: 2, bargeIn: false } });
    expect(call.fetches.map((f) => f.request)).toEqual([first]);
  });

  test('after the last verb the call ends with a hangup', async () => {
    const call = new FakeCall({ [APP]: doc('<Say>one</Say><Say>two</Say>') });
    const result = await runInstructions(call, first);
    expect(result.end).toBe('document-ended');
    expect(call.said).toEqual(['one', 'two']);
    expect(call.events).toEqual(['answer', 'hangup']);
  });

  test('an empty document answers and hangs up, as Twilio does', async () => {
    const call = new FakeCall({ [APP]: doc('') });
    expect((await runInstructions(call, first)).end).toBe('document-ended');
    expect(call.events).toEqual(['answer', 'hangup']);
  });

  test('Reject busy before answer: refused, never answered, later verbs ignored', async () => {
    const call = new FakeCall({ [APP]: doc('<Reject reason="busy"/><Say>never</Say>') });
    const result = await runInstructions(call, first);
    expect(result.end).toBe('rejected');
    expect(call.events).toEqual(['reject:busy']);
    expect(call.endpoint.ops).toEqual([]);
  });

  test('Reject without reason is "rejected"', async () => {
    const call = new FakeCall({ [APP]: doc('<Reject/>') });
    await runInstructions(call, first);
    expect(call.events).toEqual(['reject:rejected']);
  });

  test('Redirect fetches the new document with its method and keeps the call unanswered', async () => {
    const call = new FakeCall({
      [APP]: doc('<Redirect method="GET">next</Redirect><Say>skipped</Say>'),
      'http://app.test/next': doc('<Reject reason="busy"/>'),
    });
    const result = await runInstructions(call, first);
    expect(result).toEqual({ end: 'rejected', documents: 2 });
    expect(call.fetches[1]?.request).toEqual({ url: 'http://app.test/next', method: 'GET' });
    expect(call.events).toEqual(['reject:busy']);
    expect(call.said).toEqual([]);
  });

  test('a Redirect loop without media ends as an application error', async () => {
    const call = new FakeCall({ [APP]: doc(`<Redirect>${APP}</Redirect>`) }, { promptMs: 1 });
    const result = await runInstructions(call, first);
    expect(result.end).toBe('application-error');
    expect(result.documents).toBe(101);
    expect(call.said).toEqual([APPLICATION_ERROR_TEXT]);
  });

  test('unsupported verbs (Dial) are skipped and the next verb runs', async () => {
    const call = new FakeCall({ [APP]: doc('<Dial>+15551234567</Dial><Say>after</Say>') });
    await runInstructions(call, first);
    expect(call.said).toEqual(['after']);
  });

  test('Play sends digits, then plays the URL with its loop', async () => {
    const call = new FakeCall({ [APP]: doc('<Play digits="12w#"/><Play loop="0">beep.wav</Play>') });
    await runInstructions(call, first);
    expect(call.endpoint.ops[0]).toEqual({ op: 'playDigits', digits: '12w#' });
    expect(call.endpoint.ops[1]).toMatchObject({ op: 'play', url: 'http://app.test/beep.wav', opts: { loop: 0 } });
  });

  test('Pause waits its length', async () => {
    const call = new FakeCall({ [APP]: doc('<Pause length="1"/><Hangup/>') });
    const t0 = performance.now();
    await runInstructions(call, first);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(990);
    expect(elapsed).toBeLessThan(1500);
    expect(call.events).toEqual(['answer', 'hangup']);
  });
});

describe('errors', () => {
  test('no document: answers, speaks the application error, hangs up', async () => {
    const call = new FakeCall({ [APP]: { error: '11200: HTTP status 500' } });
    const result = await runInstructions(call, first);
    expect(result.end).toBe('application-error');
    expect(call.said).toEqual([APPLICATION_ERROR_TEXT]);
    expect(call.events).toEqual(['answer', 'hangup']);
  });

  test('a failing action URL also ends with the spoken error', async () => {
    const call = new FakeCall({ [APP]: doc('<Redirect>http://app.test/missing</Redirect>') });
    expect((await runInstructions(call, first)).end).toBe('application-error');
    expect(call.said).toEqual([APPLICATION_ERROR_TEXT]);
  });

  test('a call that cannot be answered ends without a hangup', async () => {
    const call = new FakeCall({ [APP]: doc('<Say>hi</Say>') }, { answerFails: true });
    expect((await runInstructions(call, first)).end).toBe('answer-failed');
    expect(call.events).toEqual([]);
  });
});

describe('caller hangup', () => {
  test('stops the running Say at once and runs nothing after it', async () => {
    const call = new FakeCall({ [APP]: doc('<Say>long</Say><Say>never</Say>') }, { promptMs: 60_000 });
    const running = runInstructions(call, first);
    await started(call, (o) => o.op === 'say');
    const t0 = performance.now();
    call.callerHangup();
    const result = await running;
    expect(performance.now() - t0).toBeLessThan(200);
    expect(result.end).toBe('caller-hangup');
    expect(call.said).toEqual(['long']);
    expect(call.endpoint.ops[0]).toMatchObject({ end: 'stopped' });
    expect(call.events).toEqual(['answer', 'caller-bye']);
  });

  test('stops a Gather waiting for digits', async () => {
    const call = new FakeCall({ [APP]: doc('<Gather action="/a" timeout="60"/>') });
    const running = runInstructions(call, first);
    await vi.waitFor(() => expect(call.answered).toBe(true));
    call.callerHangup();
    expect((await running).end).toBe('caller-hangup');
    expect(call.fetches).toHaveLength(1);
  });
});
