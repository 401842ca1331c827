/**
 * What became of a signaling event, against a real HTTP server on
 * 127.0.0.1: the sender tells each event's outcome (instructions taken,
 * answered, failed, dropped) and SignalingEvents.observe tells how many
 * events a message queued and whether some callback answered instructions.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { SignalingEventDeliverySchema } from '../../config/signaling-events.js';
import { SignalingEvents } from '../../engine/signaling-events/call-signaling.js';
import { SignalingEventSender, type DeliveryOutcome, type SignalingEvent, type SignalingEventSenderOptions } from '../../engine/signaling-events/event-sender.js';
import { describeRequest } from '../../engine/signaling-events/signaling-message.js';
import { hang, httpStatus, noContent, respond, startAppServer, type AppServer, type Reply } from '../router/helpers/app-server.js';

const delivery = (d: Partial<ReturnType<typeof SignalingEventDeliverySchema.parse>> = {}): ReturnType<typeof SignalingEventDeliverySchema.parse> =>
  SignalingEventDeliverySchema.parse({ timeoutMs: 2000, retries: 0, retryDelayMs: 0, ...d });

async function appServer(): Promise<AppServer> {
  const app = await startAppServer();
  onTestFinished(() => app.close());
  return app;
}

function sender(opts: SignalingEventSenderOptions): SignalingEventSender {
  const s = new SignalingEventSender(opts);
  onTestFinished(() => s.close());
  return s;
}

const event = (url: string, n = 0): SignalingEvent => ({ url, ruleId: 'r', authToken: 't', params: { SipMethod: 'REFER', SequenceNumber: String(n) } });

/** Sends one event and resolves with its outcome. */
const outcomeOf = (s: SignalingEventSender, callSid: string, e: SignalingEvent): Promise<DeliveryOutcome> => new Promise((resolve) => s.send(callSid, e, resolve));

describe('delivery outcomes', () => {
  const cases: Array<[string, Reply, DeliveryOutcome]> = [
    ['<Response> taken by the call', respond('<Hangup/>'), 'instructions'],
    ['204', noContent(), 'answered'],
    ['a 200 that is not instructions', httpStatus(200, 'ok'), 'answered'],
    ['404', httpStatus(404), 'failed'],
    ['500, tried again, 500', httpStatus(500), 'failed'],
  ];
  it.for(cases)('an answer %s', async ([, reply, expected]) => {
    const app = await appServer();
    app.on('/e', reply);
    const s = sender({ delivery: delivery({ retries: 1 }), onInstructions: () => undefined });
    expect(await outcomeOf(s, 'CA1', event(app.url('/e')))).toBe(expected);
  });

  it('instructions the call does not take (the handler says false) count as answered', async () => {
    const app = await appServer();
    app.on('/e', respond('<Hangup/>'));
    const s = sender({ delivery: delivery(), onInstructions: () => false });
    expect(await outcomeOf(s, 'CA1', event(app.url('/e')))).toBe('answered');
  });

  it('a full queue drops at once; the end grace drops the queued and the one in flight; close drops the rest', async () => {
    const app = await appServer();
    app.on('/e', hang());
    const s = sender({ delivery: delivery({ perCallQueue: 1, timeoutMs: 10_000, endGraceMs: 50 }) });
    const got: Array<[number, DeliveryOutcome]> = [];
    const results = [0, 1, 2].map((n) => s.send('CA1', event(app.url('/e'), n), (o) => got.push([n, o])));
    // One in flight, one queued, the third dropped at once.
    expect(results).toEqual([true, true, false]);
    expect(got).toEqual([[2, 'dropped']]);
    await app.waitForCount('/e', 1, 5000);
    s.end('CA1');
    await s.whenIdle('CA1');
    expect(got.sort()).toEqual([[0, 'dropped'], [1, 'dropped'], [2, 'dropped']]);

    const late: DeliveryOutcome[] = [];
    s.send('CA2', event(app.url('/e')), (o) => late.push(o));
    s.send('CA2', event(app.url('/e')), (o) => late.push(o));
    await s.close();
    expect(late).toEqual(['dropped', 'dropped']);
    expect(s.send('CA3', event(app.url('/e')), (o) => late.push(o))).toBe(false);
    expect(late).toEqual(['dropped', 'dropped', 'dropped']);
  });
});

describe('SignalingEvents.observe reports', () => {
  const call = { sid: 'CA1', accountSid: 'AC1', applicationId: 'app', parentCallSid: undefined };
  const refer = describeRequest({ method: 'REFER', headers: { 'call-id': 'c', 'refer-to': '<sip:a@x>' } }, 'received');

  async function setUp(urls: string[]): Promise<SignalingEvents> {
    const s = sender({ delivery: delivery(), onInstructions: () => true });
    const rules = urls.map((url) => ({ url, method: 'POST' as const, match: { direction: 'received' as const, method: 'REFER', headers: {} }, include: { headers: [], bodyMaxBytes: 0 } }));
    return new SignalingEvents({ global: [], byApplication: new Map([['app', rules]]), accounts: [{ id: 'AC1', authToken: 't' }], sender: s });
  }

  it('two rules: instructions from either one make the outcome instructions', async () => {
    const app = await appServer();
    app.on('/a', noContent());
    app.on('/b', respond('<Dial>sip:a@x</Dial>'));
    const events = await setUp([app.url('/a'), app.url('/b')]);
    const report = events.observe(call, refer);
    expect(report.queued).toBe(2);
    expect(await report.outcome).toBe('instructions');
    expect(app.requests.map((r) => [r.pathname, r.params.ReferTransferTarget])).toEqual([['/a', 'sip:a@x'], ['/b', 'sip:a@x']]);
  });

  it('no instructions from any: none, once all are in', async () => {
    const app = await appServer();
    app.on('/a', noContent());
    app.on('/b', httpStatus(404));
    const events = await setUp([app.url('/a'), app.url('/b')]);
    const report = events.observe(call, refer);
    expect(report.queued).toBe(2);
    expect(await report.outcome).toBe('none');
    expect(app.requests).toHaveLength(2);
  });

  it('a message no rule reports, or of an unknown account: nothing queued, none', async () => {
    const app = await appServer();
    const events = await setUp([app.url('/a')]);
    const info = describeRequest({ method: 'INFO', headers: {} }, 'received');
    const none = events.observe(call, info);
    expect(none.queued).toBe(0);
    expect(await none.outcome).toBe('none');
    const stranger = events.observe({ ...call, accountSid: 'AC2' }, refer);
    expect(stranger.queued).toBe(0);
    expect(app.requests).toHaveLength(0);
  });
});
