/**
 * A flood of REGISTERs with wrong passwords from one UDP socket: every one
 * is answered, and the registrar's per-request state stays bounded (nothing
 * is tracked for a request whose response is wrong).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { header } from '../support/sip-wire-peer.js';
import { startRegistrar, type RegistrarHarness } from './helpers/registrar-harness.js';
import { challengesOf, digestAuthorization, SipClient } from './helpers/sip-client.js';

const TOTAL = 5000;
const WINDOW = 100;

let h: RegistrarHarness;
let c: SipClient;

beforeAll(async () => {
  h = await startRegistrar({ users: [{ username: 'alice', password: 'right' }] });
  c = await SipClient.open(h.sip);
});

afterAll(async () => {
  await c?.close();
  await h?.stop();
});

describe('REGISTER flood', () => {
  it(`answers ${TOTAL} REGISTERs with wrong passwords, keeping per-request state bounded`, async () => {
    const first = await c.register({ username: 'alice' });
    const challenge = challengesOf(first).find((x) => x.algorithm === 'MD5');
    if (!challenge) throw new Error('no MD5 challenge');
    const uri = c.registrarUri;
    const answered = new Map<string, number>();
    const start = c.peer.received.length;
    let sent = 0;
    const request = (i: number): string => {
      const branch = `z9hG4bKflood${i}x${randomBytes(3).toString('hex')}`;
      const authorization = digestAuthorization({ username: 'alice', password: `wrong-${i}`, method: 'REGISTER', uri, challenge, algorithm: 'MD5', nc: i + 1 });
      return [
        `REGISTER ${uri} SIP/2.0`,
        `Via: SIP/2.0/UDP ${c.local.address}:${c.local.port};branch=${branch};rport`,
        'Max-Forwards: 70',
        `From: <sip:alice@${h.sip.address}>;tag=f${i}`,
        `To: <sip:alice@${h.sip.address}>`,
        `Call-ID: flood-${i}@test`,
        `CSeq: 1 REGISTER`,
        `Contact: <sip:alice@${c.local.address}:${c.local.port}>`,
        `Authorization: ${authorization}`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    };
    // At most WINDOW requests outstanding, so that the test measures the engine, not the socket buffers.
    let next = start;
    while (answered.size < TOTAL) {
      while (sent < TOTAL && sent - answered.size < WINDOW) c.peer.send(request(sent++));
      const msg = await c.peer.waitFor((m) => m.status !== undefined && m.status >= 200, 10_000, next);
      next = c.peer.received.indexOf(msg, next) + 1;
      const callId = header(msg, 'call-id') ?? '';
      answered.set(callId, msg.status ?? 0);
    }
    const statuses = new Set(answered.values());
    expect(answered.size).toBe(TOTAL);
    expect([...statuses]).toEqual([403]);
    const stats = h.engine.stats().registrar;
    expect(stats).toMatchObject({ bindings: 0, trackedNonces: 0 });
    // The right password still works on the same nonce, and is then tracked (one nonce).
    const ok = await c.register({
      username: 'alice',
      contact: `<sip:alice@${c.local.address}:${c.local.port}>`,
      authorization: digestAuthorization({ username: 'alice', password: 'right', method: 'REGISTER', uri, challenge, algorithm: 'MD5', nc: TOTAL + 1 }),
    });
    expect(ok.status).toBe(200);
    expect(h.engine.stats().registrar?.trackedNonces).toBe(1);
  }, 60_000);
});
