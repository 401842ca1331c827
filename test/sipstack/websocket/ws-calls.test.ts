/**
 * SIP over WebSocket (RFC 7118) through the embedded SIP server, with a
 * browser-like client written here and real drachtio-srf applications:
 * the `sip` subprotocol handshake, REGISTER, calls both ways on the
 * client's connection, and requests to a WebSocket contact that has no
 * connection.
 */
import { afterEach, expect, test } from 'vitest';
import type Srf from 'drachtio-srf';
import { WebSocket } from 'ws';
import { within } from '../../support/deferred.js';
import { destroyDialog, requestOutsideDialog } from '../../support/srf-app.js';
import { route, type SrfRequest } from '../../support/sip-server-harness.js';
import { answerInvite, registerClient, registrar, startWsServer, type WsServer } from './ws-fixture.js';
import { responseTo, SDP, WsSipClient } from './ws-sip-client.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function start(install?: (srf: Srf) => void): Promise<WsServer> {
  const s = await startWsServer({ routes: install });
  cleanup.push(() => s.stop());
  return s;
}

async function client(url: string, user?: string): Promise<WsSipClient> {
  const c = await WsSipClient.connect(url, { user });
  cleanup.push(() => c.close());
  return c;
}

/** The HTTP status of a refused handshake. */
function handshakeStatus(url: string, protocols: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      ws.close();
      reject(new Error(`handshake with [${protocols.join(',')}] was accepted`));
    });
    ws.once('error', () => undefined);
  });
}

test('a handshake without the sip subprotocol is refused; with it, REGISTER is answered by the application', async () => {
  const seen: SrfRequest[] = [];
  const s = await start(registrar((req) => seen.push(req)));
  expect(await handshakeStatus(s.url.ws, [])).toBe(400);
  expect(await handshakeStatus(s.url.ws, ['chat'])).toBe(400);

  const c = await client(s.url.ws);
  expect(c.socket.protocol).toBe('sip');
  expect(await registerClient(c)).toBe(200);
  const res = c.received.find((m) => m.kind === 'response' && m.status === 200 && (m.headers.get('cseq') ?? '').endsWith('REGISTER'));
  expect(res?.headers.get('contact')).toBe(`<${c.contact}>;expires=600`);
  // §18.2.1: the made-up Via host differs from the source address, so `received` is added.
  expect(seen[0].get('Via')).toMatch(new RegExp(`^SIP/2.0/WS ${c.host};branch=\\S+;received=127\\.0\\.0\\.1$`));
  expect(seen[0].protocol).toBe('ws');
  expect(s.server.stats().registeredFlows).toBe(1);
});

test('the application calls the registered browser contact: INVITE, 200, ACK and BYE all on the client\'s WebSocket', async () => {
  const s = await start(registrar());
  const c = await client(s.url.ws);
  expect(await registerClient(c)).toBe(200);

  const uac = s.srf.createUAC(c.contact, { localSdp: SDP });
  const invite = await answerInvite(c);
  expect(invite.uri).toBe(c.contact);
  expect(invite.headers.get('via')).toMatch(/^SIP\/2\.0\/WS 127\.0\.0\.1:\d+;rport;branch=z9hG4bK/);
  expect(invite.headers.get('contact')).toMatch(/;transport=ws>$/);
  const dialog = await within(uac, 5000, 'createUAC to resolve');
  const ack = await c.request('ACK', invite.headers.get('call-id'));
  expect(ack.headers.get('cseq')).toMatch(/ ACK$/);

  const bye = destroyDialog(dialog);
  const byeReq = await c.request('BYE', invite.headers.get('call-id'));
  c.send(responseTo(byeReq, 200, 'OK'));
  await within(bye, 5000, 'the BYE to complete');
  expect(s.server.stats().dialogs).toBe(0);
});

test('the browser calls the application: 200, ACK and BYE; the application sees Via transport WS with received', async () => {
  const vias: string[] = [];
  let acked!: () => void;
  const ackSeen = new Promise<void>((r) => (acked = r));
  const s = await start((srf) => {
    srf.invite((req, res) => {
      vias.push(req.get('Via'));
      srf.createUAS(req, res, { localSdp: SDP }).then((d) => {
        d.on('ack', () => acked());
      }, () => undefined);
    });
  });
  const c = await client(s.url.ws);
  const callId = `call-${c.host}`;
  const fromTag = 'f1';
  const inviteCseq = c.nextCSeq();
  c.send([
    `INVITE sip:app@127.0.0.1 SIP/2.0`,
    `Via: ${c.via()}`,
    'Max-Forwards: 70',
    `From: <sip:${c.user}@example.com>;tag=${fromTag}`,
    'To: <sip:app@127.0.0.1>',
    `Call-ID: ${callId}`,
    `CSeq: ${inviteCseq} INVITE`,
    `Contact: <${c.contact}>`,
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(SDP)}`,
    '',
    SDP,
  ].join('\r\n'));
  const ok = await c.finalResponse(callId, 'INVITE');
  expect(ok.status).toBe(200);
  expect(ok.headers.get('contact')).toMatch(/^<sip:127\.0\.0\.1:\d+;transport=ws>$/);
  expect(vias[0]).toMatch(new RegExp(`^SIP/2.0/WS ${c.host};branch=\\S+;received=127\\.0\\.0\\.1$`));

  const to = ok.headers.get('to') ?? '';
  const inDialog = (method: string, seq: number): string => [
    `${method} sip:127.0.0.1 SIP/2.0`,
    `Via: ${c.via()}`,
    'Max-Forwards: 70',
    `From: <sip:${c.user}@example.com>;tag=${fromTag}`,
    `To: ${to}`,
    `Call-ID: ${callId}`,
    `CSeq: ${seq} ${method}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  c.send(inDialog('ACK', inviteCseq));
  await within(ackSeen, 5000, 'the application to see the ACK');
  c.send(inDialog('BYE', c.nextCSeq()));
  expect((await c.finalResponse(callId, 'BYE')).status).toBe(200);
  expect(s.server.stats().dialogs).toBe(0);
});

test('a request to a WebSocket contact without a connection fails at once with a clear error', async () => {
  const s = await start(registrar());
  const err = await within(
    requestOutsideDialog(s.srf, 'sip:nobody@q7x.invalid;transport=ws', { method: 'OPTIONS' }).then(() => undefined, (e: unknown) => e),
    2000,
    'the request to fail',
  );
  expect((err as Error).message).toBe('no WebSocket connection to sip:nobody@q7x.invalid;transport=ws');

  // A registered client that has gone: its flow goes with its connection.
  const c = await client(s.url.ws, 'gone');
  expect(await registerClient(c)).toBe(200);
  c.close();
  await c.closed;
  await waitFor(() => s.server.stats().registeredFlows === 0);
  const uacErr = await within(s.srf.createUAC(c.contact, { localSdp: SDP }).then(() => undefined, (e: unknown) => e), 2000, 'createUAC to fail');
  expect((uacErr as Error).message).toBe(`no WebSocket connection to ${c.contact}`);
  expect(s.server.stats()).toMatchObject({ transactions: 0, pendingAppTransactions: 0 });
});

test('a REGISTER answered with expires 0 removes the flow; MESSAGE then has nowhere to go', async () => {
  const s = await start(registrar());
  const c = await client(s.url.ws);
  expect(await registerClient(c)).toBe(200);
  expect(s.server.stats().registeredFlows).toBe(1);

  // While registered, a MESSAGE from the application reaches the client.
  const sent = requestOutsideDialog(s.srf, c.contact, { method: 'MESSAGE', body: 'hello', headers: { 'Content-Type': 'text/plain' } });
  const message = await c.request('MESSAGE');
  expect(message.body.toString()).toBe('hello');
  c.send(responseTo(message, 200, 'OK'));
  expect((await within(sent, 5000, 'MESSAGE answered')).response.status).toBe(200);

  expect(await registerClient(c, 0)).toBe(200);
  expect(s.server.stats().registeredFlows).toBe(0);
  const err = await requestOutsideDialog(s.srf, c.contact, { method: 'MESSAGE', body: 'again', headers: { 'Content-Type': 'text/plain' } }).then(() => undefined, (e: unknown) => e);
  expect((err as Error).message).toBe(`no WebSocket connection to ${c.contact}`);
});

test('an OPTIONS route answers a ws client too (same listener, several clients)', async () => {
  const s = await start((srf) => route(srf, 'register', (_req, res) => res.send(403)));
  const a = await client(s.url.ws, 'a');
  const b = await client(s.url.ws, 'b');
  // A refused REGISTER keeps no flow.
  expect(await registerClient(a)).toBe(403);
  expect(await registerClient(b)).toBe(403);
  expect(s.server.stats().registeredFlows).toBe(0);
});

async function waitFor(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a browser that vanishes mid-call: when its session expires the BYE cannot be sent, yet the application is told the call is over', async () => {
  let ended!: (reason: unknown) => void;
  const destroyed = new Promise<unknown>((r) => (ended = r));
  let acked!: () => void;
  const ackSeen = new Promise<void>((r) => (acked = r));
  const s = await startWsServer({
    sessionTimers: { minSE: 1 },
    routes: (srf) => {
      srf.invite((req, res) => {
        srf.createUAS(req, res, { localSdp: SDP }).then((d) => {
          d.on('ack', () => acked());
          // drachtio-srf emits destroy(bye, reason); its typings declare only the first.
          (d as unknown as { on(e: 'destroy', l: (bye: unknown, reason: string) => void): void }).on('destroy', (_bye, reason) => ended(reason));
        }, () => undefined);
      });
    },
  });
  cleanup.push(() => s.stop());
  const c = await WsSipClient.connect(s.url.ws);
  const callId = `vanish-${c.host}`;
  const cseq = c.nextCSeq();
  c.send([
    `INVITE sip:app@127.0.0.1 SIP/2.0`,
    `Via: ${c.via()}`,
    'Max-Forwards: 70',
    `From: <sip:${c.user}@example.com>;tag=v1`,
    'To: <sip:app@127.0.0.1>',
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} INVITE`,
    `Contact: <${c.contact}>`,
    'Supported: timer',
    'Session-Expires: 2;refresher=uac',
    'Min-SE: 1',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(SDP)}`,
    '',
    SDP,
  ].join('\r\n'));
  const ok = await c.finalResponse(callId, 'INVITE');
  expect(ok.status).toBe(200);
  expect(ok.headers.get('session-expires')).toMatch(/^2;refresher=uac$/);
  c.send([
    `ACK sip:127.0.0.1 SIP/2.0`,
    `Via: ${c.via()}`,
    'Max-Forwards: 70',
    `From: <sip:${c.user}@example.com>;tag=v1`,
    `To: ${ok.headers.get('to') ?? ''}`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} ACK`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n'));
  await within(ackSeen, 5000, 'the application to see the ACK');
  // The browser goes away without a BYE; its session then expires unrefreshed.
  await c.close();
  expect(await within(destroyed, 5000, 'the application to hear the call is over')).toBe('Session timer expired');
  expect(s.server.stats().dialogs).toBe(0);
});
