/**
 * <Dial> in the interpreter, with fake called parties: who is rung, who
 * wins, what the action URL hears (DialCallStatus, DialCallSid,
 * DialCallDuration), and how the Dial ends (callee hangs up, caller hangs
 * up, hangupOnStar, timeLimit, a redirect from the REST API).
 */
import { describe, expect, test, vi } from 'vitest';
import { RedirectChannel, runInstructions, type DialAttempt, type DialLegRequest } from '../../../instructions/runtime/index.js';
import { doc, FakeCall, FakeLeg } from './fakes.js';

const APP = 'http://app.test/voice';
const ACTION = 'http://app.test/dialed';
const first = { url: APP, method: 'POST' as const };

/** A leg answering after `ms`, unless its signal cancels it first. */
function answersAfter(leg: FakeLeg, ms: number): (req: DialLegRequest) => Promise<DialAttempt> {
  return (req) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ answered: leg }), ms);
      req.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve({ status: 'canceled', callSid: leg.callSid, reason: 'canceled' });
      });
    });
}

function fails(status: 'busy' | 'no-answer' | 'failed', sipStatus: number, ms = 5): (req: DialLegRequest) => Promise<DialAttempt> {
  return () => new Promise((resolve) => setTimeout(() => resolve({ status, sipStatus, callSid: `CA${status}`, reason: status }), ms));
}

function actionParams(call: FakeCall): Record<string, string> | undefined {
  return call.fetches.find((f) => f.request.url === ACTION)?.request.params as Record<string, string> | undefined;
}

describe('<Dial>', () => {
  test('answers the caller, rings the number, bridges; the callee hangs up -> action with completed, DialCallSid and duration', async () => {
    const call = new FakeCall({
      [APP]: doc(`<Dial action="${ACTION}" timeout="10" callerId="+15550001111">+1 555 000 2222</Dial>`),
      [ACTION]: doc('<Say>after</Say>'),
    });
    const leg = new FakeLeg('CAleg1');
    call.dial = answersAfter(leg, 10);
    const running = runInstructions(call, first);
    await vi.waitFor(() => expect(call.dialed).toHaveLength(1));
    expect(call.events[0]).toBe('answer');
    expect(call.dialed[0]).toMatchObject({ noun: { noun: 'Number', number: '+1 555 000 2222' }, callerId: '+15550001111', timeoutSeconds: 10 });
    await new Promise((r) => setTimeout(r, 40));
    leg.calleeHangup();
    const result = await running;
    expect(result.end).toBe('document-ended');
    expect(actionParams(call)).toEqual({ DialCallStatus: 'completed', DialCallSid: 'CAleg1', DialCallDuration: '0', DialBridged: 'true' });
    expect(call.said).toEqual(['after']);
  });

  test('several nouns ring at once: the first to answer wins and the others are cancelled', async () => {
    const call = new FakeCall({ [APP]: doc(`<Dial action="${ACTION}"><Sip>sip:a@example.test</Sip><Number>+15550003333</Number><Sip>sip:c@example.test</Sip></Dial>`) });
    const winner = new FakeLeg('CAwinner');
    const slow = [new FakeLeg('CAslow1'), new FakeLeg('CAslow2')];
    const cancelled: string[] = [];
    call.dial = (req) => {
      if (req.noun.noun === 'Number') return answersAfter(winner, 20)(req);
      const leg = slow.shift()!;
      req.signal.addEventListener('abort', () => cancelled.push(leg.callSid));
      return answersAfter(leg, 5000)(req);
    };
    const running = runInstructions(call, first);
    await vi.waitFor(() => expect(cancelled).toHaveLength(2));
    winner.calleeHangup();
    await running;
    expect(call.dialed.map((d) => d.noun.noun)).toEqual(['Sip', 'Number', 'Sip']);
    expect(actionParams(call)?.DialCallSid).toBe('CAwinner');
  });

  test('nobody answers: busy wins over no-answer, and the document goes on to the action', async () => {
    const call = new FakeCall({
      [APP]: doc(`<Dial action="${ACTION}"><Number>+15550000001</Number><Number>+15550000002</Number></Dial>`),
      [ACTION]: doc('<Hangup/>'),
    });
    let n = 0;
    call.dial = (req) => (n++ === 0 ? fails('no-answer', 487)(req) : fails('busy', 486)(req));
    await runInstructions(call, first);
    expect(actionParams(call)).toEqual({ DialCallStatus: 'busy', DialSipResponseCode: '486' });
  });

  test('one noun refused with 404 -> failed, with its DialCallSid', async () => {
    const call = new FakeCall({ [APP]: doc(`<Dial action="${ACTION}"><Sip>sip:nobody@example.test</Sip></Dial>`), [ACTION]: doc('<Hangup/>') });
    call.dial = fails('failed', 404);
    await runInstructions(call, first);
    expect(actionParams(call)).toEqual({ DialCallStatus: 'failed', DialCallSid: 'CAfailed', DialSipResponseCode: '404' });
  });

  test('without an action the document continues with the next verb', async () => {
    const call = new FakeCall({ [APP]: doc('<Dial>+15550000001</Dial><Say>nobody answered</Say>') });
    call.dial = fails('no-answer', 480);
    await runInstructions(call, first);
    expect(call.said).toEqual(['nobody answered']);
  });

  test('the caller hangs up while it rings: the legs are cancelled and the action still hears canceled', async () => {
    const call = new FakeCall({ [APP]: doc(`<Dial action="${ACTION}">+15550000001</Dial>`), [ACTION]: doc('<Say>never run</Say>') });
    const leg = new FakeLeg('CAleg');
    call.dial = answersAfter(leg, 5000);
    const running = runInstructions(call, first);
    await vi.waitFor(() => expect(call.dialed).toHaveLength(1));
    call.callerHangup();
    expect((await running).end).toBe('caller-hangup');
    expect(call.dialed[0]!.signal.aborted).toBe(true);
    const action = call.fetches.find((f) => f.request.url === ACTION);
    expect(action?.afterHangup).toBe(true);
    expect(action?.request.params).toEqual({ DialCallStatus: 'canceled', DialCallSid: 'CAleg' });
    expect(call.said).toEqual([]);
  });

  test('hangupOnStar: * from the caller hangs up the called party and the caller goes on', async () => {
    const call = new FakeCall({ [APP]: doc(`<Dial hangupOnStar="true" action="${ACTION}">+15550000001</Dial>`), [ACTION]: doc('<Say>back</Say>') });
    const leg = new FakeLeg('CAleg');
    call.dial = answersAfter(leg, 5);
    const running = runInstructions(call, first);
    await vi.waitFor(() => expect(call.dialed).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 30));
    call.endpoint.press('1');
    call.endpoint.press('*');
    await running;
    expect(leg.hungUp).toBe(true);
    expect(actionParams(call)?.DialCallStatus).toBe('completed');
    expect(call.said).toEqual(['back']);
  });

  test('timeLimit ends the bridge and hangs up the called party', async () => {
    const call = new FakeCall({ [APP]: doc(`<Dial timeLimit="1" action="${ACTION}">+15550000001</Dial>`), [ACTION]: doc('<Hangup/>') });
    const leg = new FakeLeg('CAleg');
    call.dial = answersAfter(leg, 5);
    const started = performance.now();
    await runInstructions(call, first);
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(990);
    expect(took).toBeLessThan(2000);
    expect(leg.hungUp).toBe(true);
    expect(actionParams(call)).toMatchObject({ DialCallStatus: 'completed', DialCallDuration: '1' });
  });

  test('url on the noun: the whisper document runs on the called party before the bridge', async () => {
    const WHISPER = 'http://app.test/whisper';
    const call = new FakeCall({ [APP]: doc(`<Dial action="${ACTION}"><Number url="${WHISPER}">+15550000001</Number></Dial>`), [ACTION]: doc('<Hangup/>') });
    const leg = new FakeLeg('CAleg', { [WHISPER]: doc('<Say>you have a call</Say>') });
    call.dial = answersAfter(leg, 5);
    const running = runInstructions(call, first);
    await vi.waitFor(() => expect(leg.call.said).toEqual(['you have a call']));
    await new Promise((r) => setTimeout(r, 60));
    // The whisper ended without hanging the called party up: it stays for the bridge.
    expect(leg.call.events).not.toContain('hangup');
    leg.calleeHangup();
    await running;
    expect(actionParams(call)?.DialCallStatus).toBe('completed');
  });

  test('a whisper that hangs up the called party: the caller is not connected (no-answer)', async () => {
    const WHISPER = 'http://app.test/whisper';
    const call = new FakeCall({ [APP]: doc(`<Dial action="${ACTION}"><Number url="${WHISPER}">+15550000001</Number></Dial>`), [ACTION]: doc('<Hangup/>') });
    const leg = new FakeLeg('CAleg', { [WHISPER]: doc('<Hangup/>') });
    leg.call.hangup = () => {
      leg.calleeHangup();
      return Promise.resolve();
    };
    call.dial = answersAfter(leg, 5);
    await runInstructions(call, first);
    expect(actionParams(call)?.DialCallStatus).toBe('no-answer');
  });

  test('answerOnBridge: the caller is answered only when the called party answers', async () => {
    const call = new FakeCall({ [APP]: doc(`<Dial answerOnBridge="true" action="${ACTION}">+15550000001</Dial>`), [ACTION]: doc('<Hangup/>') });
    const leg = new FakeLeg('CAleg');
    call.dial = answersAfter(leg, 50);
    const running = runInstructions(call, first);
    await vi.waitFor(() => expect(call.dialed).toHaveLength(1));
    expect(call.answered).toBe(false);
    await vi.waitFor(() => expect(call.answered).toBe(true));
    leg.calleeHangup();
    await running;
  });

  test('a redirect during the Dial hangs up the called party and runs the new document, not the action', async () => {
    const NEW = 'http://app.test/new';
    const call = new FakeCall({ [APP]: doc(`<Dial action="${ACTION}">+15550000001</Dial>`), [NEW]: doc('<Say>redirected</Say>') });
    const leg = new FakeLeg('CAleg');
    call.dial = answersAfter(leg, 5);
    const redirects = new RedirectChannel();
    const running = runInstructions(call, first, { redirects });
    await vi.waitFor(() => expect(call.dialed).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 30));
    redirects.push({ url: NEW, method: 'POST' });
    await running;
    expect(leg.hungUp).toBe(true);
    expect(call.fetches.map((f) => f.request.url)).toEqual([APP, NEW]);
    expect(call.said).toEqual(['redirected']);
  });

  test('Conference and Queue nouns are skipped with a warning for now', async () => {
    const call = new FakeCall({ [APP]: doc('<Dial><Conference>room</Conference></Dial><Say>next</Say>') });
    await runInstructions(call, first);
    expect(call.dialed).toHaveLength(0);
    expect(call.said).toEqual(['next']);
  });
});

describe('redirects from outside', () => {
  test('a redirect stops a long Say at once and runs the new document; an inline document works too', async () => {
    const call = new FakeCall({ [APP]: doc('<Say>long prompt</Say><Say>never</Say>') }, { promptMs: 5000 });
    const redirects = new RedirectChannel();
    const running = runInstructions(call, first, { redirects });
    await vi.waitFor(() => expect(call.said).toEqual(['long prompt']));
    const at = performance.now();
    redirects.push({ twiml: '<Response><Play digits="1"/><Hangup/></Response>' });
    const result = await running;
    expect(performance.now() - at).toBeLessThan(4000);
    expect(result.end).toBe('hangup-verb');
    expect(call.said).toEqual(['long prompt']);
    expect(call.endpoint.ops.map((o) => o.op)).toEqual(['say', 'playDigits']);
    expect(call.endpoint.ops[0]).toMatchObject({ op: 'say', end: 'stopped' });
  });
});
