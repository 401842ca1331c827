/**
 * The <Refer> executor against a fake call whose REFER outcome the test
 * scripts: the outcomes a SIPp peer cannot give quickly (no NOTIFY before
 * the wait runs out, a subscription ended with no final status), a call
 * that cannot send a REFER, an action that gives no document, and a
 * redirect during the wait. What is checked is what the application sees:
 * the action's parameters, and what happens to the call.
 */
import { describe, expect, test, vi } from 'vitest';
import { APPLICATION_ERROR_TEXT, RedirectChannel, runInstructions, type ReferSendOutcome, type ReferSendRequest } from '../../../instructions/runtime/index.js';
import { doc, FakeCall, type Documents } from './fakes.js';

const APP = 'http://app.test/voice';
const ACTION = 'http://app.test/referred';
const first = { url: APP, method: 'POST' as const };
const REFER = '<Refer action="/referred"><Sip>sip:alice@example.com?X-Custom=1</Sip></Refer><Say>after</Say>';

/** A fake call that sends REFERs: each is recorded and answered with the next scripted outcome. */
class ReferringCall extends FakeCall {
  readonly refers: ReferSendRequest[] = [];
  constructor(
    documents: Documents,
    private readonly outcome: (req: ReferSendRequest) => Promise<ReferSendOutcome>,
  ) {
    super(documents);
  }
  sendRefer(req: ReferSendRequest): Promise<ReferSendOutcome> {
    this.events.push('refer');
    this.refers.push(req);
    return this.outcome(req);
  }
}

function actionParams(call: FakeCall): Readonly<Record<string, string>> | undefined {
  return call.fetches.find((f) => f.request.url === ACTION)?.request.params;
}

describe('<Refer> executor', () => {
  test('answers first, then sends the REFER with the URI as written and its X- headers', async () => {
    const call = new ReferringCall({ [APP]: doc(REFER), [ACTION]: doc('<Hangup/>') }, () => Promise.resolve({ end: 'final', referStatus: 202, notifyStatus: 200, referredCall: 'in-progress' }));
    await runInstructions(call, first);
    expect(call.events).toEqual(['answer', 'refer', 'hangup']);
    expect(call.refers[0]).toMatchObject({ referTo: 'sip:alice@example.com?X-Custom=1', headers: { 'X-Custom': '1' } });
    expect(actionParams(call)).toEqual({ ReferCallStatus: 'in-progress', ReferSipResponseCode: '202', NotifySipResponseCode: '200' });
    expect(call.said).toEqual([]);
  });

  test.each<[string, ReferSendOutcome, Record<string, string>]>([
    ['no NOTIFY before the wait ran out: ReferCallStatus left out, as Twilio does without NOTIFYs', { end: 'timeout', referStatus: 202 }, { ReferSipResponseCode: '202' }],
    ['only a 100 Trying, then the subscription ended', { end: 'terminated', referStatus: 202, notifyStatus: 100 }, { ReferCallStatus: 'failed', ReferSipResponseCode: '202', NotifySipResponseCode: '100' }],
    ['a 180 Ringing, then the wait ran out', { end: 'timeout', referStatus: 202, notifyStatus: 180 }, { ReferCallStatus: 'failed', ReferSipResponseCode: '202', NotifySipResponseCode: '180' }],
    ['no answer to the REFER at all', { end: 'refused' }, { ReferCallStatus: 'failed' }],
    ['a NOTIFY 603 Declined', { end: 'final', referStatus: 202, notifyStatus: 603, referredCall: 'busy' }, { ReferCallStatus: 'busy', ReferSipResponseCode: '202', NotifySipResponseCode: '603' }],
  ])('%s', async (_name, outcome, params) => {
    const call = new ReferringCall({ [APP]: doc(REFER), [ACTION]: doc('<Say>sorry</Say>') }, () => Promise.resolve(outcome));
    await runInstructions(call, first);
    expect(actionParams(call)).toEqual(params);
    expect(call.said).toEqual(['sorry']);
    expect(call.events).toEqual(['answer', 'refer', 'hangup']);
  });

  test('a call that cannot send a REFER: the action gets failed, and the call goes on', async () => {
    const call = new FakeCall({ [APP]: doc(REFER), [ACTION]: doc('<Say>no transfer here</Say>') });
    await runInstructions(call, first);
    expect(actionParams(call)).toEqual({ ReferCallStatus: 'failed' });
    expect(call.said).toEqual(['no transfer here']);
  });

  test('without an action the next verb runs whatever the outcome', async () => {
    const call = new ReferringCall({ [APP]: doc('<Refer><Sip>sip:alice@example.com</Sip></Refer><Say>after</Say>') }, () => Promise.resolve({ end: 'refused', referStatus: 405 }));
    await runInstructions(call, first);
    expect(call.fetches.map((f) => f.request.url)).toEqual([APP]);
    expect(call.said).toEqual(['after']);
  });

  test('the caller hangs up during the wait: the action is still requested (canceled), its document is not run', async () => {
    const call = new ReferringCall({ [APP]: doc(REFER), [ACTION]: doc('<Say>never</Say>') }, (req) => {
      setTimeout(() => call.callerHangup(), 5);
      return new Promise((resolve) => req.signal.addEventListener('abort', () => resolve({ end: 'stopped', referStatus: 202, notifyStatus: 180 }), { once: true }));
    });
    const result = await runInstructions(call, first);
    expect(result.end).toBe('caller-hangup');
    expect(call.fetches.find((f) => f.request.url === ACTION)).toMatchObject({ afterHangup: true, request: { params: { ReferCallStatus: 'canceled', ReferSipResponseCode: '202', NotifySipResponseCode: '180' } } });
    expect(call.said).toEqual([]);
  });

  test('an action that gives no document: the caller hears the application error and the call ends', async () => {
    const call = new ReferringCall({ [APP]: doc(REFER), [ACTION]: { error: 'HTTP status 500' } }, () => Promise.resolve({ end: 'final', referStatus: 202, notifyStatus: 486, referredCall: 'busy' }));
    await runInstructions(call, first);
    expect(call.said).toEqual([APPLICATION_ERROR_TEXT]);
    expect(call.events).toEqual(['answer', 'refer', 'hangup']);
  });

  test('a redirect during the wait stops it: the new document runs, the action is not requested', async () => {
    const redirects = new RedirectChannel();
    const call = new ReferringCall({ [APP]: doc(REFER), [ACTION]: doc('<Say>never</Say>'), 'http://app.test/elsewhere': doc('<Say>redirected</Say>') }, (req) =>
      new Promise((resolve) => req.signal.addEventListener('abort', () => resolve({ end: 'stopped', referStatus: 202 }), { once: true })),
    );
    const running = runInstructions(call, first, { redirects });
    await vi.waitFor(() => expect(call.refers).toHaveLength(1));
    redirects.push({ url: 'http://app.test/elsewhere', method: 'POST' });
    await running;
    expect(call.fetches.map((f) => f.request.url)).toEqual([APP, 'http://app.test/elsewhere']);
    expect(call.said).toEqual(['redirected']);
  });
});
