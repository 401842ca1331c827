import { describe, expect, test, vi } from 'vitest';
import { runInstructions } from '../../../instructions/runtime/index.js';
import { doc, FakeCall, type Op } from './fakes.js';

const APP = 'http://app.test/voice';
const first = { url: APP, method: 'POST' as const };

async function started(call: FakeCall, kind: Op['op']): Promise<void> {
  await vi.waitFor(() => {
    if (!call.endpoint.ops.some((o) => o.op === kind) && !(kind === 'collect' && call.answered)) throw new Error('not yet');
  }, { timeout: 2000, interval: 2 });
}

describe('Gather', () => {
  test('keys pressed during the nested Say stop it (barge-in) and count; Digits go to the action, whose document runs', async () => {
    const call = new FakeCall(
      {
        [APP]: doc('<Gather action="/menu" method="GET" numDigits="3"><Say>Press three digits</Say><Say>never spoken</Say></Gather><Say>not reached</Say>'),
        'http://app.test/menu': doc('<Say>Thanks</Say>'),
      },
      { promptMs: 60_000 },
    );
    const running = runInstructions(call, first);
    await started(call, 'say');
    call.endpoint.press('4');
    call.endpoint.press('2');
    call.endpoint.press('7');
    // The action's document has a long Say too: hang up once it started.
    await vi.waitFor(() => expect(call.said).toContain('Thanks'));
    call.callerHangup();
    await running;
    expect(call.said).toEqual(['Press three digits', 'Thanks']);
    expect(call.endpoint.ops[0]).toMatchObject({ op: 'say', end: 'digit', opts: { bargeIn: true } });
    expect(call.fetches[1]?.request).toEqual({ url: 'http://app.test/menu', method: 'GET', params: { Digits: '427' } });
  });

  test('the finish key ends input and is not part of Digits', async () => {
    const call = new FakeCall({ [APP]: doc('<Gather action="/a" timeout="10"/>'), 'http://app.test/a': doc('<Hangup/>') });
    const running = runInstructions(call, first);
    await started(call, 'collect');
    for (const d of '12#') call.endpoint.press(d);
    await running;
    expect(call.fetches[1]?.request.params).toEqual({ Digits: '12' });
    const collect = call.endpoint.ops.find((o) => o.op === 'collect');
    expect(collect).toMatchObject({ opts: { finishOnKey: '#', timeoutMs: 10_000 } });
  });

  test('timeout without digits continues with the next verb, and does not request the action', async () => {
    const call = new FakeCall({ [APP]: doc('<Gather action="/a" timeout="1"><Say>menu</Say></Gather><Say>No input</Say>') }, { promptMs: 5 });
    const t0 = performance.now();
    await runInstructions(call, first);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(990);
    expect(call.said).toEqual(['menu', 'No input']);
    expect(call.fetches).toHaveLength(1);
  });

  test('timeout with actionOnEmptyResult posts empty Digits to the action', async () => {
    const call = new FakeCall({ [APP]: doc('<Gather action="/a" timeout="1" actionOnEmptyResult="true"/><Say>unreached</Say>'), 'http://app.test/a': doc('') });
    await runInstructions(call, first);
    expect(call.fetches[1]?.request).toEqual({ url: 'http://app.test/a', method: 'POST', params: { Digits: '' } });
    expect(call.said).toEqual([]);
  });

  test("without an action the digits go to the document's own URL (as on Twilio), whose answer runs next", async () => {
    let asked = 0;
    const call = new FakeCall({
      [APP]: () => (++asked === 1 ? doc('<Gather numDigits="1" method="GET"/><Say>not reached</Say>') : doc('<Say>got it</Say>')),
    });
    const running = runInstructions(call, first);
    await started(call, 'collect');
    call.endpoint.press('5');
    await running;
    expect(call.fetches[1]?.request).toEqual({ url: APP, method: 'GET', params: { Digits: '5' } });
    expect(call.said).toEqual(['got it']);
  });

  test('without an action and without input the next verb runs, with no request', async () => {
    const call = new FakeCall({ [APP]: doc('<Gather timeout="1"/><Say>next</Say>') });
    await runInstructions(call, first);
    expect(call.said).toEqual(['next']);
    expect(call.fetches).toHaveLength(1);
  });

  test('keys pressed before the Gather are not its input', async () => {
    const call = new FakeCall({ [APP]: doc('<Say>intro</Say><Gather action="/a" timeout="1" actionOnEmptyResult="true"/>'), 'http://app.test/a': doc('') }, { promptMs: 30 });
    const running = runInstructions(call, first);
    await started(call, 'say');
    call.endpoint.press('9');
    await running;
    expect(call.fetches[1]?.request.params).toEqual({ Digits: '' });
  });
});

describe('Record', () => {
  test('ended by #: RecordingUrl, RecordingDuration, RecordingSid and Digits go to the action', async () => {
    const call = new FakeCall({ [APP]: doc('<Record action="/done" maxLength="20" timeout="0" finishOnKey="#" playBeep="false" recordingStatusCallback="/rec"/>'), 'http://app.test/done': doc('<Hangup/>') });
    call.endpoint.recordMs = 60_000;
    const running = runInstructions(call, first);
    await started(call, 'collect');
    await vi.waitFor(() => expect(call.endpoint.listenerCount('dtmf')).toBeGreaterThan(0));
    call.endpoint.press('#');
    await running;
    const record = call.endpoint.ops.find((o) => o.op === 'record');
    expect(record).toMatchObject({ opts: { maxLengthMs: 20_000, finishOnKey: '#', silenceTimeoutMs: undefined, beep: false, trim: true } });
    const params = call.fetches[1]?.request.params ?? {};
    expect(params.RecordingSid).toMatch(/^RE[0-9a-f]{32}$/);
    expect(params.RecordingUrl).toBe(`http://engine.test/recordings/${params.RecordingSid}`);
    expect(params.RecordingDuration).toBe('0');
    expect(params.Digits).toBe('#');
    expect(call.notifications[0]).toMatchObject({ url: 'http://app.test/rec', params: { RecordingStatus: 'completed', RecordingSid: params.RecordingSid } });
  });

  test('the caller hangs up while recording: the action still gets Digits=hangup, and nothing more runs', async () => {
    const call = new FakeCall({ [APP]: doc('<Record action="/done"/>'), 'http://app.test/done': doc('<Say>never</Say>') });
    call.endpoint.recordMs = 60_000;
    const running = runInstructions(call, first);
    await vi.waitFor(() => expect(call.endpoint.listenerCount('dtmf')).toBeGreaterThan(0));
    call.callerHangup();
    const result = await running;
    expect(result.end).toBe('caller-hangup');
    expect(call.fetches[1]).toMatchObject({ afterHangup: true, request: { params: { Digits: 'hangup' } } });
    expect(call.said).toEqual([]);
  });

  test('silence ends the recording with empty Digits', async () => {
    const call = new FakeCall({ [APP]: doc('<Record action="/done" timeout="3"/>'), 'http://app.test/done': doc('') });
    await runInstructions(call, first);
    const record = call.endpoint.ops.find((o) => o.op === 'record');
    expect(record).toMatchObject({ opts: { silenceTimeoutMs: 3000, finishOnKey: '1234567890*#', beep: true } });
    expect(call.fetches[1]?.request.params?.Digits).toBe('');
  });

  test("without an action the recording goes to the document's own URL (as on Twilio)", async () => {
    let asked = 0;
    const call = new FakeCall({ [APP]: () => (++asked === 1 ? doc('<Record timeout="3"/><Say>not reached</Say>') : doc('<Say>saved</Say>')) });
    await runInstructions(call, first);
    expect(call.fetches[1]?.request.url).toBe(APP);
    expect(call.fetches[1]?.request.params?.RecordingSid).toMatch(/^RE[0-9a-f]{32}$/);
    expect(call.said).toEqual(['saved']);
  });
});
