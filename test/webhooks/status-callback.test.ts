import type { ServerResponse } from 'node:http';
import twilio from 'twilio';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StatusCallbackSender, WebhookClient, WebhookTransport } from '../../engine/webhooks/index.js';
import { deferred, within } from '../support/deferred.js';
import { startAppServer, xml, type AppServer } from './helpers/app-server.js';

const TOKEN = 'status-token';
const SID_A = 'CA' + 'a'.repeat(32);
const SID_B = 'CA' + 'b'.repeat(32);
const STATUSES = ['initiated', 'ringing', 'in-progress', 'completed'];

let app: AppServer;
let sender: StatusCallbackSender;

beforeEach(async () => {
  app = await startAppServer();
});

afterEach(async () => {
  await sender?.close();
  await app.close();
});

function makeSender(opts: Partial<ConstructorParameters<typeof StatusCallbackSender>[0]> = {}): StatusCallbackSender {
  sender = new StatusCallbackSender({ authToken: TOKEN, retryDelayMs: 10, timeouts: { responseTimeoutMs: 2000 }, ...opts });
  return sender;
}

function ok(res: ServerResponse): void {
  res.writeHead(204).end();
}

describe('StatusCallbackSender', () => {
  it('delivers in queued order with SequenceNumber and Timestamp, even when the server answers slowly and out of order', async () => {
    // The first callbacks get the slowest answers: a sender that did not wait would see them overtaken.
    const delays = [150, 100, 50, 0];
    const answeredAt: number[] = [];
    app.route('/status', (req, res) => {
      const seq = Number(req.params.SequenceNumber);
      setTimeout(() => {
        answeredAt[seq] = performance.now();
        ok(res);
      }, delays[seq] ?? 0);
    });
    makeSender();
    for (const status of STATUSES) sender.send(SID_A, { url: `${app.baseUrl}/status`, params: { CallSid: SID_A, CallStatus: status } });
    await within(sender.whenIdle(SID_A), 5000, 'status callbacks');
    expect(app.requests.map((r) => r.params.CallStatus)).toEqual(STATUSES);
    expect(app.requests.map((r) => r.params.SequenceNumber)).toEqual(['0', '1', '2', '3']);
    // Each callback went out only after the previous one was answered.
    for (let i = 1; i < app.requests.length; i++) expect(app.requests[i]!.at).toBeGreaterThanOrEqual(answeredAt[i - 1]!);
    for (const r of app.requests) {
      expect(r.params.Timestamp).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
      expect(twilio.validateRequest(TOKEN, String(r.headers['x-twilio-signature']), r.url, r.params)).toBe(true);
    }
  });

  it('send() returns at once; one call waiting on a slow server does not hold up another', async () => {
    const release = deferred<void>();
    app.route('/slow', (_req, res) => void release.promise.then(() => ok(res)));
    app.route('/status', (_req, res) => ok(res));
    makeSender();
    const started = performance.now();
    sender.send(SID_A, { url: `${app.baseUrl}/slow`, params: { CallSid: SID_A, CallStatus: 'ringing' } });
    sender.send(SID_A, { url: `${app.baseUrl}/status`, params: { CallSid: SID_A, CallStatus: 'completed' } });
    expect(performance.now() - started).toBeLessThan(50);
    await app.next('/slow');
    sender.send(SID_B, { url: `${app.baseUrl}/status`, params: { CallSid: SID_B, CallStatus: 'ringing' } });
    await within(sender.whenIdle(SID_B), 5000, 'call B callback');
    // B's callback arrived while A's first was still unanswered, and A's second has not gone out.
    expect(app.requests.map((r) => `${r.params.CallSid?.slice(0, 3)}:${r.params.CallStatus}`)).toEqual(['CAa:ringing', 'CAb:ringing']);
    release.resolve();
    await within(sender.whenIdle(SID_A), 5000, 'call A callbacks');
    expect(app.requests.map((r) => r.params.CallStatus)).toEqual(['ringing', 'ringing', 'completed']);
  });

  it('a slow status callback does not delay the next instructions fetch on the same transport', async () => {
    const release = deferred<void>();
    app.route('/status', (_req, res) => void release.promise.then(() => ok(res)));
    app.route('/voice', (_req, res) => xml(res, '<Response><Hangup/></Response>'));
    const transport = new WebhookTransport({ timeouts: { responseTimeoutMs: 5000 } });
    makeSender({ transport });
    const client = new WebhookClient({ authToken: TOKEN, transport });
    sender.send(SID_A, { url: `${app.baseUrl}/status`, params: { CallSid: SID_A, CallStatus: 'ringing' } });
    await app.next('/status');
    const result = await within(client.fetchInstructions({ url: `${app.baseUrl}/voice`, params: { CallSid: SID_A } }), 2000, 'instructions');
    expect('document' in result).toBe(true);
    expect(release.settled).toBe(false);
    release.resolve();
    await within(sender.whenIdle(), 5000, 'status callback');
    await transport.close();
  });

  it('retries 5xx and timeouts with the same SequenceNumber, but not 4xx', async () => {
    let fivexx = 0;
    app.route('/flaky', (_req, res) => (++fivexx < 3 ? res.writeHead(503).end() : ok(res)));
    app.route('/gone', (_req, res) => res.writeHead(410).end());
    let slow = 0;
    app.route('/slow', (_req, res) => {
      if (++slow > 1) ok(res);
    });
    makeSender({ maxAttempts: 3, timeouts: { responseTimeoutMs: 200 } });
    sender.send(SID_A, { url: `${app.baseUrl}/flaky`, params: { CallSid: SID_A } });
    sender.send(SID_A, { url: `${app.baseUrl}/gone`, params: { CallSid: SID_A } });
    sender.send(SID_A, { url: `${app.baseUrl}/slow`, params: { CallSid: SID_A } });
    await within(sender.whenIdle(SID_A), 5000, 'callbacks');
    expect(app.requests.map((r) => `${r.path}#${r.params.SequenceNumber}`)).toEqual([
      '/flaky#0',
      '/flaky#0',
      '/flaky#0',
      '/gone#1',
      '/slow#2',
      '/slow#2',
    ]);
  });

  it('gives up after maxAttempts and moves on to the next callback', async () => {
    app.route('/down', (_req, res) => res.writeHead(500).end());
    app.route('/status', (_req, res) => ok(res));
    makeSender({ maxAttempts: 2 });
    sender.send(SID_A, { url: `${app.baseUrl}/down`, params: { CallSid: SID_A } });
    sender.send(SID_A, { url: `${app.baseUrl}/status`, params: { CallSid: SID_A } });
    await within(sender.whenIdle(SID_A), 5000, 'callbacks');
    expect(app.requests.map((r) => r.path)).toEqual(['/down', '/down', '/status']);
  });

  it('drops callbacks beyond the per-call queue bound, leaving a gap in the sequence', async () => {
    const release = deferred<void>();
    app.route('/status', (req, res) => (req.params.SequenceNumber === '0' ? void release.promise.then(() => ok(res)) : ok(res)));
    makeSender({ maxQueuePerCall: 2 });
    for (let i = 0; i < 6; i++) sender.send(SID_A, { url: `${app.baseUrl}/status`, params: { CallSid: SID_A, N: String(i) } });
    await app.next('/status');
    release.resolve();
    await within(sender.whenIdle(SID_A), 5000, 'callbacks');
    // #0 was in flight, #1 and #2 queued; #3..#5 found the queue full.
    expect(app.requests.map((r) => r.params.SequenceNumber)).toEqual(['0', '1', '2']);
  });

  it('forgets a call once its last callback is sent; the next call starts at 0', async () => {
    app.route('/status', (_req, res) => ok(res));
    makeSender();
    sender.send(SID_A, { url: `${app.baseUrl}/status`, params: { CallSid: SID_A, CallStatus: 'ringing' } });
    sender.send(SID_A, { url: `${app.baseUrl}/status`, params: { CallSid: SID_A, CallStatus: 'completed' } }, { last: true });
    sender.send(SID_B, { url: `${app.baseUrl}/status`, params: { CallSid: SID_B, CallStatus: 'ringing' } });
    await within(sender.whenIdle(), 5000, 'callbacks');
    expect(sender.trackedCalls).toBe(1);
    expect(app.requests.filter((r) => r.params.CallSid === SID_B).map((r) => r.params.SequenceNumber)).toEqual(['0']);
  });

  it('forgets a call ended without a last callback (its application does not want completed)', async () => {
    app.route('/status', (_req, res) => ok(res));
    makeSender();
    sender.send(SID_A, { url: `${app.baseUrl}/status`, params: { CallSid: SID_A, CallStatus: 'ringing' } });
    sender.end(SID_A);
    expect(sender.trackedCalls).toBe(1); // the ringing callback is still on its way
    await within(sender.whenIdle(), 5000, 'callbacks');
    expect(sender.trackedCalls).toBe(0);
    expect(app.requests.map((r) => r.params.CallStatus)).toEqual(['ringing']);
  });

  it('GET callbacks carry the parameters in the query string, signed', async () => {
    app.route('/status', (_req, res) => ok(res));
    makeSender();
    sender.send(SID_A, { url: `${app.baseUrl}/status`, method: 'GET', params: { CallSid: SID_A, CallStatus: 'ringing' } });
    await within(sender.whenIdle(), 5000, 'callback');
    const [r] = app.requests;
    expect(r?.method).toBe('GET');
    expect(r?.params).toMatchObject({ CallSid: SID_A, CallStatus: 'ringing', SequenceNumber: '0' });
    expect(twilio.validateRequest(TOKEN, String(r?.headers['x-twilio-signature']), r!.url, {})).toBe(true);
  });

  it('close() drops what is queued and aborts what is in flight', async () => {
    app.route('/status', () => undefined);
    makeSender();
    sender.send(SID_A, { url: `${app.baseUrl}/status`, params: { CallSid: SID_A } });
    sender.send(SID_A, { url: `${app.baseUrl}/status`, params: { CallSid: SID_A } });
    await app.next('/status');
    await within(sender.close(), 2000, 'close');
    expect(app.requests).toHaveLength(1);
    expect(sender.trackedCalls).toBe(0);
  });
});
