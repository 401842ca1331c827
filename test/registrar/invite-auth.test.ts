/**
 * Calls from SIP users (RFC 3261 §22.3): with users configured, an INVITE
 * from outside allowedSources is challenged with 407, authenticated, and
 * routed to the user's application; a wrong password gets 403. SIPp is the
 * caller; the application's document must run (a webhook request arrives and
 * the engine hangs up as the document says).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeSipp, type SippResult } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { respond } from '../router/helpers/app-server.js';
import { CallerMedia } from '../router/helpers/caller-media.js';
import { startRegistrar, type RegistrarHarness } from './helpers/registrar-harness.js';
import { SipClient } from './helpers/sip-client.js';
import { header, headers } from '../support/sip-wire-peer.js';

const scenario = (name: string): string => fileURLToPath(new URL(`../scenarios/${name}.xml`, import.meta.url));

let h: RegistrarHarness;
const media: CallerMedia[] = [];

beforeAll(async () => {
  h = await startRegistrar({
    users: [
      { username: 'alice', password: 'alice-pw', application: 'desk' },
      { username: 'bob', password: 'bob-pw' },
    ],
    registrar: { algorithms: ['MD5', 'SHA-256'] },
    applications: [
      { id: 'main', user: '100', voice: '/voice' },
      { id: 'desk', user: 'desk-line', voice: '/desk' },
    ],
    // No trusted source: every caller authenticates.
    allowedSources: [],
  });
  h.app.on('/voice', respond('<Say>main</Say><Hangup/>'));
  h.app.on('/desk', respond('<Hangup/>'));
});

afterEach(async () => {
  for (const m of media.splice(0)) m.close();
});

afterAll(async () => {
  await h?.stop();
});

async function call(user: string, pass: string, service: string, name: string): Promise<SippResult> {
  const m = await CallerMedia.open();
  media.push(m);
  const sipp = await h.sipp.start({
    scenario: scenario(name),
    remote: h.sipTarget,
    service,
    keys: { user, ...m.sippKeys },
    extraArgs: ['-au', user, '-ap', pass],
    timeoutSeconds: 15,
  });
  const result = await sipp.done;
  expect(result.exitCode, describeSipp(result)).toBe(0);
  return result;
}

describe('INVITE from a SIP user', () => {
  it("is challenged with 407, then runs the user's application", async () => {
    const before = h.app.to('/desk').length;
    const result = await call('alice', 'alice-pw', '100', 'register-uac-invite-auth');
    const [challenge] = findMessages(result.trace, { direction: 'received', status: 407 });
    expect(challenge?.text).toMatch(/Proxy-Authenticate: Digest realm="dialtone", nonce="[^"]+", algorithm=MD5, qop="auth"/);
    expect(challenge?.text).toMatch(/Proxy-Authenticate: Digest [^\r\n]*algorithm=SHA-256/);
    // Dialled 100 (the main application's number), but alice's own application took the call.
    expect(h.app.to('/desk').length).toBe(before + 1);
    const req = h.app.to('/desk').at(-1);
    expect(req?.params.From).toBe('sip:alice@127.0.0.1');
  });

  it('routes a user without an application like any call', async () => {
    const before = h.app.to('/voice').length;
    await call('bob', 'bob-pw', '100', 'register-uac-invite-auth');
    expect(h.app.to('/voice').length).toBe(before + 1);
  });

  it('answers a wrong password with 403, and runs nothing', async () => {
    const before = h.app.requests.length;
    await call('alice', 'wrong', '100', 'register-uac-invite-forbidden');
    expect(h.app.requests.length).toBe(before);
  });

  it('challenges an INVITE without credentials, and a CANCEL after the 407 finds nothing to cancel', async () => {
    const c = await SipClient.open(h.sip);
    try {
      const branch = 'z9hG4bKinvite407';
      const lines = (method: string, cseq: string): string =>
        [
          `${method} sip:100@${h.sipTarget} SIP/2.0`,
          `Via: SIP/2.0/UDP ${c.local.address}:${c.local.port};branch=${branch};rport`,
          'Max-Forwards: 70',
          `From: <sip:alice@${h.sip.address}>;tag=abc`,
          `To: <sip:100@${h.sip.address}>`,
          'Call-ID: invite-407@test',
          `CSeq: ${cseq}`,
          `Contact: <sip:alice@${c.local.address}:${c.local.port}>`,
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n');
      const res = await c.exchange(lines('INVITE', '1 INVITE'), branch);
      expect(res.status).toBe(407);
      expect(headers(res, 'proxy-authenticate')).toHaveLength(2);
      const toTag = /;tag=([^;]+)/.exec(header(res, 'to') ?? '')?.[1];
      // RFC 3261 §17.1.1.3: the ACK for the 407 (absorbed by the transaction, no 407 retransmission follows it).
      c.peer.send(lines('ACK', '1 ACK').replace(`To: <sip:100@${h.sip.address}>`, `To: <sip:100@${h.sip.address}>;tag=${toTag}`));
      // A CANCEL for the finished INVITE: 200 for the CANCEL (§9.2) or 481, never a crash; the engine keeps serving.
      const cancel = await c.exchange(lines('CANCEL', '1 CANCEL'), branch);
      expect([200, 481]).toContain(cancel.status);
      const again = await c.register({ username: 'bob' });
      expect(again.status).toBe(401);
    } finally {
      await c.close();
    }
  });
});
