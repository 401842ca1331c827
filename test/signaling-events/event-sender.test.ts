/**
 * The signaling-event sender against a real HTTP server on 127.0.0.1: one
 * request at a time per call in order, a bounded queue, a timeout per try,
 * retries on 5xx / timeouts only, instructions in a 200 answer, and the
 * grace after a call ended.
 */
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SignalingEventDeliverySchema } from '../../config/signaling-events.js';
import { SignalingEventSender, type SignalingEvent } from '../../engine/signaling-events/event-sender.js';
import { validateTwilioSignature } from '../../engine/webhooks/signature.js';
import { callbackServer as server } from '../support/callback-server.js';

const TOKEN = 'sender-test-token';
const event = (url: string, n: number): SignalingEvent => ({ url, ruleId: 'r1', authToken: TOKEN, params: { CallSid: 'CA1', SipMethod: 'INFO', SequenceNumber: String(n) } });
const delivery = (d: Partial<ReturnType<typeof SignalingEventDeliverySchema.parse>> = {}): ReturnType<typeof SignalingEventDeliverySchema.parse> =>
  SignalingEventDeliverySchema.parse(d);

function sender(opts: ConstructorParameters<typeof SignalingEventSender>[0]): SignalingEventSender {
  const s = new SignalingEventSender(opts);
  onTestFinished(() => s.close());
  return s;
}

describe('signaling-event sender', () => {
  it('sends a call\'s events one at a time, in order, signed', async () => {
    let open = 0;
    let most = 0;
    const srv = await server((_s, res) => {
      open++;
      most = Math.max(most, open);
      setTimeout(() => {
        open--;
        res.writeHead(204).end();
      }, 30);
    });
    const s = sender({ delivery: delivery() });
    for (let i = 0; i < 5; i++) expect(s.send('CA1', event(srv.url, i))).toBe(true);
    await s.whenIdle();
    expect(srv.seen.map((x) => x.params.SequenceNumber)).toEqual(['0', '1', '2', '3', '4']);
    expect(most).toBe(1);
    for (const x of srv.seen) expect(validateTwilioSignature(TOKEN, x.signature, srv.url, x.params)).toBe(true);
    expect(s.trackedCalls).toBe(0);
  });

  it('a full queue drops the new event (and says so); other calls are not held up', async () => {
    const srv = await server((seen, res) => {
      if (seen.params.CallSid === 'CA2') res.writeHead(204).end();
      // CA1's requests are never answered
    });
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) }));
    const s = sender({ delivery: delivery({ perCallQueue: 2, timeoutMs: 500, retries: 0 }), logger });
    const accepted = [0, 1, 2, 3, 4].map((i) => s.send('CA1', event(srv.url, i)));
    expect(accepted).toEqual([true, true, true, false, false]);
    const drops = lines.filter((l) => l.msg === 'signaling event dropped');
    expect(drops).toHaveLength(2);
    expect(drops[0]).toMatchObject({ callSid: 'CA1', rule: 'r1', sequence: '3' });
    expect(String(drops[0]?.reason)).toMatch(/queue full/);
    expect(s.send('CA2', { ...event(srv.url, 0), params: { CallSid: 'CA2', SequenceNumber: '0' } })).toBe(true);
    await s.whenIdle('CA2');
    await s.whenIdle('CA1');
    expect(srv.seen.filter((x) => x.params.CallSid === 'CA1').map((x) => x.params.SequenceNumber)).toEqual(['0', '1', '2']);
    // CA2 was answered while CA1's first event was still waiting for its answer.
    const ca2 = srv.seen.find((x) => x.params.CallSid === 'CA2')!;
    const ca1Second = srv.seen.filter((x) => x.params.CallSid === 'CA1')[1]!;
    expect(ca2.at).toBeLessThan(ca1Second.at);
  });

  it('each try times out; timeouts and 5xx are tried again up to `retries` times, 4xx is not', async () => {
    const answers: Record<string, (res: ServerResponse) => void> = {
      slow: () => undefined,
      busy: (res) => res.writeHead(503).end(),
      refused: (res) => res.writeHead(403).end(),
    };
    const srv = await server((seen, res) => answers[seen.params.SipMethod ?? '']?.(res));
    const s = sender({ delivery: delivery({ timeoutMs: 200, retries: 2, retryDelayMs: 50 }) });
    const started = performance.now();
    s.send('CA1', { ...event(srv.url, 0), params: { SipMethod: 'slow' } });
    await s.whenIdle();
    const took = performance.now() - started;
    expect(srv.seen).toHaveLength(3);
    expect(took).toBeGreaterThanOrEqual(3 * 200 + 2 * 50 - 20);
    expect(took).toBeLessThan(3000);

    srv.seen.length = 0;
    s.send('CA1', { ...event(srv.url, 1), params: { SipMethod: 'busy' } });
    await s.whenIdle();
    expect(srv.seen).toHaveLength(3);

    srv.seen.length = 0;
    s.send('CA1', { ...event(srv.url, 2), params: { SipMethod: 'refused' } });
    await s.whenIdle();
    expect(srv.seen).toHaveLength(1);
  });

  it('a connection refused is tried again, then given up', async () => {
    const srv = await server((_s, res) => res.writeHead(204).end());
    const closedUrl = srv.url.replace(/:\d+\//, ':1/');
    const s = sender({ delivery: delivery({ retries: 1, retryDelayMs: 10 }) });
    s.send('CA1', event(closedUrl, 0));
    s.send('CA1', event(srv.url, 1));
    await s.whenIdle();
    expect(srv.seen.map((x) => x.params.SequenceNumber)).toEqual(['1']);
  });

  it('a 200 with <Response> is handed over as instructions; empty, non-XML or non-200 answers are not', async () => {
    const bodies: Record<string, { status: number; type?: string; body: string }> = {
      xml: { status: 200, type: 'text/xml', body: '<?xml version="1.0"?><Response><Dial>sip:x@example.com</Dial></Response>' },
      empty: { status: 200, type: 'text/xml', body: '' },
      json: { status: 200, type: 'application/json', body: '{"Response":1}' },
      other: { status: 200, type: 'application/xml', body: '<Other/>' },
      created: { status: 201, type: 'text/xml', body: '<Response><Hangup/></Response>' },
    };
    const srv = await server((seen, res) => {
      const b = bodies[seen.params.SipMethod ?? '']!;
      res.writeHead(b.status, b.type ? { 'content-type': b.type } : {}).end(b.body);
    });
    const got: Array<[string, string]> = [];
    const s = sender({ delivery: delivery(), onInstructions: (callSid, twiml) => void got.push([callSid, twiml]) });
    for (const name of Object.keys(bodies)) s.send('CA9', { ...event(srv.url, 0), params: { SipMethod: name } });
    await s.whenIdle();
    expect(srv.seen).toHaveLength(5);
    expect(got).toEqual([['CA9', bodies.xml!.body]]);
  });

  it('reads an answer full of XML comments in linear time: the event loop is not held up', { timeout: 20_000 }, async () => {
    // 28 empty comments before a root that is not <Response>: a backtracking match of them takes seconds (twice as long per extra one).
    const comments = '<!---->'.repeat(28);
    const bodies: Record<string, string> = { other: `${comments}<Other/>`, instructions: `<?xml version="1.0"?>${comments}\n<Response><Hangup/></Response>` };
    const srv = await server((seen, res) => res.writeHead(200, { 'content-type': 'text/xml' }).end(bodies[seen.params.SipMethod ?? '']));
    const got: string[] = [];
    const outcomes: string[] = [];
    const s = sender({ delivery: delivery(), onInstructions: (_callSid, twiml) => void got.push(twiml) });
    const started = performance.now();
    for (const name of Object.keys(bodies)) s.send('CA7', { ...event(srv.url, 0), params: { SipMethod: name } }, (o) => outcomes.push(o));
    await s.whenIdle();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(outcomes).toEqual(['answered', 'instructions']);
    expect(got).toEqual([bodies.instructions]);
  });

  it('after the call ended, the queue goes out within the grace period, then the rest is dropped', async () => {
    const srv = await server(() => undefined); // never answers
    const s = sender({ delivery: delivery({ timeoutMs: 5000, retries: 0, endGraceMs: 300 }) });
    for (let i = 0; i < 3; i++) s.send('CA1', event(srv.url, i));
    await srv.waitFor(1);
    const started = performance.now();
    s.end('CA1');
    await s.whenIdle('CA1');
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(2000);
    expect(srv.seen).toHaveLength(1);
    expect(s.trackedCalls).toBe(0);
  });
});
