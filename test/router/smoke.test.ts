/**
 * The whole path once, end to end: SIPp calls the engine, the engine asks a
 * real node:http application for instructions, says Hello, hangs up, and
 * reports the completed call to the status callback.
 */
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { parseEngineConfig } from '../../config/load-engine-config.js';
import { Engine } from '../../engine/engine.js';
import { silentLogger } from '../../engine/logger.js';
import { deferred, within } from '../support/deferred.js';
import { describeSipp, SippSession } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';

const ACCOUNT = 'AC' + 'ab'.repeat(16);

interface Seen {
  path: string;
  params: Record<string, string>;
}

async function startApp(documents: Record<string, string>): Promise<{ base: string; seen: Seen[]; answered: Promise<Seen>; completed: Promise<Seen>; server: Server }> {
  const seen: Seen[] = [];
  const completed = deferred<Seen>();
  const answered = deferred<Seen>();
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const entry = { path, params: Object.fromEntries(new URLSearchParams(body)) };
      seen.push(entry);
      if (path === '/status' && entry.params.CallStatus === 'in-progress') answered.resolve(entry);
      if (path === '/status' && entry.params.CallStatus !== 'initiated' && entry.params.CallStatus !== 'ringing' && entry.params.CallStatus !== 'in-progress') {
        completed.resolve(entry);
      }
      const doc = documents[path];
      if (doc === 'HANG') return;
      if (doc === undefined) res.writeHead(204).end();
      else res.writeHead(200, { 'Content-Type': 'text/xml' }).end(doc);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, seen, answered: answered.promise, completed: completed.promise, server };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startEngine(appBase: string): Promise<{ engine: Engine; target: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dialtone-smoke-'));
  const config = parseEngineConfig({
    accounts: [{ id: ACCOUNT, authToken: 'smoke-test-token' }],
    applications: [{ id: 'hello', voiceUrl: `${appBase}/voice`, statusCallback: `${appBase}/status`, statusCallbackEvents: ['initiated', 'ringing', 'answered', 'completed'] }],
    routes: { default: 'hello' },
    allowedSources: ['127.0.0.1'],
    dataDir,
    http: { address: '127.0.0.1', port: 0 },
    api: { address: '127.0.0.1', port: 0 },
    sipServer: { sip: { address: '127.0.0.1', port: 0, transports: ['udp'] }, admin: { address: '127.0.0.1', port: 0, secret: 'smoke' }, timers: { t1: 50, t2: 500, t4: 500, d: 1000 } },
    media: { bindAddress: '127.0.0.1', advertisedAddress: '127.0.0.1' },
  });
  const engine = new Engine(config, { logger: silentLogger() });
  const info = await engine.start();
  cleanups.push(async () => {
    await engine.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  const udp = info.sip.find((s) => s.protocol === 'udp');
  if (!udp) throw new Error('no UDP listener');
  return { engine, target: `${udp.local.address}:${udp.local.port}` };
}

describe('router smoke test', () => {
  test('Say then Hangup: the webhook carries the call, the engine sends BYE, the status callback reports completed', async () => {
    const app = await startApp({ '/voice': '<?xml version="1.0"?><Response><Say>Hello</Say><Hangup/></Response>' });
    cleanups.push(() => new Promise<void>((r) => app.server.close(() => r())));
    const { engine, target } = await startEngine(app.base);
    const sipp = new SippSession();
    cleanups.push(() => sipp.stopAll());

    const scenario = fileURLToPath(new URL('../scenarios/uac-call-remote-bye.xml', import.meta.url));
    const result = await sipp.run({ scenario, remote: target, service: '100', timeoutSeconds: 15 });
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const ok = findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' })[0];
    expect(ok?.body, describeSipp(result)).toMatch(/m=audio \d+ RTP\/AVP 0/);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' }).length).toBeGreaterThanOrEqual(1);

    const completed = await within(app.completed, 5000, 'the completed status callback');
    const voice = app.seen.find((s) => s.path === '/voice');
    expect(voice?.params.CallSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(voice?.params).toMatchObject({ AccountSid: ACCOUNT, CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01', SipSourceIp: '127.0.0.1' });
    expect(voice?.params.To).toMatch(/^sip:100@127\.0\.0\.1/);
    const invite = findMessages(result.trace, { direction: 'sent', method: 'INVITE' })[0];
    expect(voice?.params.SipCallId).toBe(invite?.header('Call-ID'));
    expect(completed.params).toMatchObject({ CallSid: voice?.params.CallSid, CallStatus: 'completed' });
    expect(Number(completed.params.CallDuration)).toBeGreaterThanOrEqual(0);
    const statuses = app.seen.filter((s) => s.path === '/status').map((s) => `${s.params.SequenceNumber}:${s.params.CallStatus}`);
    expect(statuses).toEqual(['0:initiated', '1:ringing', '2:in-progress', '3:completed']);
    expect(engine.stats()).toMatchObject({ calls: 0, endpoints: 0 });
  }, 30_000);

  test('the caller hangs up during a long Say: the call ends at once and completed is still reported', async () => {
    const long = 'This sentence is long enough to keep speaking for many seconds while the caller hangs up. '.repeat(5);
    const app = await startApp({ '/voice': `<Response><Say>${long}</Say><Say>unreachable</Say></Response>` });
    cleanups.push(() => new Promise<void>((r) => app.server.close(() => r())));
    const { engine, target } = await startEngine(app.base);
    const sipp = new SippSession();
    cleanups.push(() => sipp.stopAll());

    const started = Date.now();
    const result = await sipp.run({ scenario: { builtin: 'uac' }, remote: target, service: '100', timeoutSeconds: 15, extraArgs: ['-d', '500'] });
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const completed = await within(app.completed, 5000, 'the completed status callback');
    expect(completed.params.CallStatus).toBe('completed');
    // The Say would take far longer than this; the hangup stopped it.
    expect(Date.now() - started).toBeLessThan(8000);
    await expect.poll(() => engine.stats().calls, { timeout: 3000 }).toBe(0);
  }, 30_000);

  test('CANCEL while the application is being asked: 487, never answered, status canceled', async () => {
    const app = await startApp({ '/voice': 'HANG' });
    cleanups.push(() => new Promise<void>((r) => {
      app.server.closeAllConnections();
      app.server.close(() => r());
    }));
    const { engine, target } = await startEngine(app.base);
    const sipp = new SippSession();
    cleanups.push(() => sipp.stopAll());

    const scenario = fileURLToPath(new URL('../scenarios/uac-cancel-after-ringing.xml', import.meta.url));
    const result = await sipp.run({ scenario, remote: target, service: '100', timeoutSeconds: 15 });
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(findMessages(result.trace, { direction: 'received', status: 487, cseqMethod: 'INVITE' }).length).toBeGreaterThanOrEqual(1);
    expect(findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' })).toHaveLength(0);
    const completed = await within(app.completed, 5000, 'the completed status callback');
    expect(completed.params).toMatchObject({ CallStatus: 'canceled', CallDuration: '0' });
    await expect.poll(() => engine.stats(), { timeout: 3000 }).toMatchObject({ calls: 0, endpoints: 0 });
  }, 30_000);

  test('stopping the engine hangs up a call in progress with BYE and still reports it completed', async () => {
    const long = 'This prompt keeps speaking for a long time so that the engine stops in the middle of it. '.repeat(5);
    const app = await startApp({ '/voice': `<Response><Say>${long}</Say></Response>` });
    cleanups.push(() => new Promise<void>((r) => app.server.close(() => r())));
    const { engine, target } = await startEngine(app.base);
    const sipp = new SippSession();
    cleanups.push(() => sipp.stopAll());

    const scenario = fileURLToPath(new URL('../scenarios/uac-call-remote-bye.xml', import.meta.url));
    const caller = await sipp.start({ scenario, remote: target, service: '100', timeoutSeconds: 15 });
    await within(app.answered, 5000, 'the answered status callback');
    await engine.stop();
    const result = await caller.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' }).length).toBeGreaterThanOrEqual(1);
    const completed = await within(app.completed, 1000, 'the completed status callback');
    expect(completed.params.CallStatus).toBe('completed');
    expect(engine.stats()).toMatchObject({ calls: 0 });
  }, 30_000);

  test('a lone Hangup answers, waits for the ACK, then sends BYE (RFC 3261 15)', async () => {
    const app = await startApp({ '/voice': '<Response><Hangup/></Response>' });
    cleanups.push(() => new Promise<void>((r) => app.server.close(() => r())));
    const { target } = await startEngine(app.base);
    const sipp = new SippSession();
    cleanups.push(() => sipp.stopAll());

    const scenario = fileURLToPath(new URL('../scenarios/uac-call-remote-bye.xml', import.meta.url));
    const result = await sipp.run({ scenario, remote: target, service: '100', timeoutSeconds: 15 });
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const order = result.trace.map((m) => (m.direction === 'sent' && m.method === 'ACK' ? 'ACK' : m.direction === 'received' && m.method === 'BYE' ? 'BYE' : '')).filter(Boolean);
    expect(order.slice(0, 2)).toEqual(['ACK', 'BYE']);
    const completed = await within(app.completed, 5000, 'the completed status callback');
    expect(completed.params.CallStatus).toBe('completed');
  }, 30_000);

  test('an offer with no codec in common gets 488 when the first media verb runs; the engine keeps serving', async () => {
    const app = await startApp({ '/voice': '<Response><Say>Hello</Say></Response>' });
    cleanups.push(() => new Promise<void>((r) => app.server.close(() => r())));
    const { engine, target } = await startEngine(app.base);
    const [host, port] = target.split(':');
    const socket = createSocket('udp4');
    cleanups.push(() => new Promise<void>((r) => socket.close(() => r())));
    const finals = deferred<string>();
    socket.on('message', (m) => {
      const text = m.toString();
      if (/^SIP\/2\.0 [2-6]\d\d/.test(text)) finals.resolve(text);
    });
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    const local = socket.address().port;
    const sdp = ['v=0', 'o=x 1 1 IN IP4 127.0.0.1', 's=x', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 18', 'a=rtpmap:18 G729/8000', ''].join('\r\n');
    const invite = [
      `INVITE sip:100@${target} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-g729-1`,
      'Max-Forwards: 70',
      `From: <sip:g729@127.0.0.1:${local}>;tag=a1`,
      `To: <sip:100@${target}>`,
      'Call-ID: g729-only@127.0.0.1',
      'CSeq: 1 INVITE',
      `Contact: <sip:g729@127.0.0.1:${local}>`,
      'Content-Type: application/sdp',
      `Content-Length: ${Buffer.byteLength(sdp)}`,
      '',
      sdp,
    ].join('\r\n');
    socket.send(invite, Number(port), host);
    const response = await within(finals.promise, 5000, 'a final response');
    expect(response.split('\r\n')[0]).toBe('SIP/2.0 488 Not Acceptable Here');
    const completed = await within(app.completed, 5000, 'the completed status callback');
    expect(completed.params).toMatchObject({ CallStatus: 'failed', SipResponseCode: '488' });
    await expect.poll(() => engine.stats(), { timeout: 3000 }).toMatchObject({ calls: 0, endpoints: 0 });
  }, 30_000);
});
