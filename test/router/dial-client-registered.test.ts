/**
 * Calls to SIP users that registered with the engine's own registrar: a
 * SIPp softphone REGISTERs with digest credentials (its Contact naming a
 * private address it cannot be reached at, as behind NAT), then a SIPp
 * UAS on the same socket takes the calls that come through that flow:
 * <Dial><Client>, REST To=client:<name>, and a caller dialling the user's
 * address.
 */
import { fileURLToPath } from 'node:url';
import { describe, it, type ExpectStatic } from 'vitest';
import { freeUdpPort } from '../support/ports.js';
import { describeSipp, type SippProcess } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { respond } from './helpers/app-server.js';
import { CallerMedia } from './helpers/caller-media.js';
import { tonePackets, type CalleeScenario } from './helpers/dial-callee.js';
import { ACCOUNT_SID, AUTH_TOKEN, type RouterHarness } from './helpers/router-harness.js';
import { startDialer } from './helpers/dialer.js';

const USERS = [
  { username: 'alice', password: 'alice-secret-1' },
  { username: 'bob', password: 'bob-secret-22' },
];

/** The engine's registrar with the test's users; SIPp answers MD5 challenges only. */
const SIPP_REGISTRAR = { users: USERS, registrarOptions: { algorithms: ['MD5' as const] } };
/** TEST-NET-1 (RFC 5737): the private Contact of a phone behind NAT. */
const PRIVATE_CONTACT = '192.0.2.10:5060';
/** The INVITE's request line: the Contact as registered (SIPp writes its transport in capitals). */
const contactRequestLine = (user: string): string => `INVITE sip:${user}@${PRIVATE_CONTACT};transport=UDP SIP/2.0`;
const scenario = (name: string): string => fileURLToPath(new URL(`../scenarios/${name}.xml`, import.meta.url));

interface Phone {
  sipp: SippProcess;
  media: CallerMedia;
}

type Cleanup = (fn: () => Promise<void> | void) => void;

/** REGISTERs `username` from a fresh UDP port, then answers calls on that port with `calleeScenario`. */
async function registeredPhone(
  h: RouterHarness,
  expect: ExpectStatic,
  onTestFinished: Cleanup,
  username: string,
  calleeScenario: CalleeScenario,
  opts: { hangup?: 'engine' | 'callee'; hangupAfterMs?: number; contactHost?: string } = {},
): Promise<Phone> {
  const password = USERS.find((u) => u.username === username)!.password;
  const port = await freeUdpPort();
  const reg = await h.sipp.start({
    scenario: scenario('uac-register-digest'),
    remote: h.sipTarget,
    port,
    service: username,
    keys: { contact_host: opts.contactHost ?? PRIVATE_CONTACT },
    extraArgs: ['-au', username, '-ap', password],
  });
  const registered = await reg.done;
  expect(registered.exitCode, describeSipp(registered)).toBe(0);
  const media = await CallerMedia.open();
  onTestFinished(() => media.close());
  const sipp = await h.sipp.start({
    scenario: scenario(calleeScenario),
    port,
    keys: { ...media.sippKeys, hangup: opts.hangup ?? 'engine' },
    timeoutSeconds: 30,
    extraArgs: opts.hangupAfterMs === undefined ? [] : ['-d', String(opts.hangupAfterMs)],
  });
  return { sipp, media };
}

describe('calls to registered SIP users (REGISTER with digest)', () => {
  it('<Dial><Client> reaches the registered phone through its flow: audio both ways, completed', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished, SIPP_REGISTRAR);
    const alice = await registeredPhone(h, expect, onTestFinished, 'alice', 'router-uas-answer', { hangup: 'callee', hangupAfterMs: 3000 });
    h.app.on(
      '/voice',
      respond(
        '<Say>Connecting.</Say><Dial action="/dialed"><Client statusCallback="/leg-status" statusCallbackEvent="answered"><Identity>alice</Identity><Parameter name="FirstName" value="Ana"/><Parameter name="X-Ticket" value="T-7"/><Parameter name="bad name" value="x"/></Client></Dial>',
      ),
    );
    const call = await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 });
    await h.app.waitFor((r) => r.pathname === '/leg-status', 15_000, 'alice answered');
    await caller.sendTone(1000, 800);
    await alice.media.peer.waitFor(() => tonePackets(alice.media.packets, 1000).length >= 20, 5000, '1 kHz at alice');
    await alice.media.sendTone(2000, 800);
    await caller.peer.waitFor(() => tonePackets(caller.packets, 2000).length >= 20, 5000, '2 kHz at the caller');
    expect((await call.done).exitCode).toBe(0);
    const aliceResult = await alice.sipp.done;
    expect(aliceResult.exitCode, describeSipp(aliceResult)).toBe(0);
    const invite = findMessages(aliceResult.trace, { direction: 'received', method: 'INVITE' })[0];
    expect(invite?.firstLine).toBe(contactRequestLine('alice'));
    // The Client's Parameters reach the phone as X- headers.
    expect([invite?.header('X-FirstName'), invite?.header('X-Ticket')]).toEqual(['Ana', 'T-7']);
    expect(h.app.to('/dialed')[0]?.params).toMatchObject({ DialCallStatus: 'completed', DialCallSid: h.app.to('/leg-status')[0]?.params.CallSid });
  });

  it('two registered phones: both ring, the one that answers wins, the other sees CANCEL', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished, SIPP_REGISTRAR);
    // Two Contacts: a REGISTER naming the same Contact would replace the binding (RFC 3261 §10.3 step 7).
    const desk = await registeredPhone(h, expect, onTestFinished, 'alice', 'uas-ring-cancelled', { contactHost: '192.0.2.11:5060' });
    const mobile = await registeredPhone(h, expect, onTestFinished, 'alice', 'router-uas-answer', { hangup: 'callee', hangupAfterMs: 800 });
    h.app.on('/voice', respond('<Dial action="/dialed"><Client>alice</Client></Dial>'));
    const result = await (await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const loser = await desk.sipp.done;
    expect(loser.exitCode, describeSipp(loser)).toBe(0);
    expect(findMessages(loser.trace, { direction: 'received', method: 'CANCEL' })).toHaveLength(1);
    expect((await mobile.sipp.done).exitCode).toBe(0);
    expect(h.app.to('/dialed')[0]?.params.DialCallStatus).toBe('completed');
  });

  it('a user who has not registered: no-answer at once', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished, SIPP_REGISTRAR);
    h.app.on('/voice', respond('<Dial action="/dialed" timeout="30"><Client>bob</Client></Dial>'));
    expect((await (await h.call({ scenario: 'answered', user: 'dialer', media: caller })).done).exitCode).toBe(0);
    const dialed = h.app.to('/dialed')[0]!;
    expect(dialed.params.DialCallStatus).toBe('no-answer');
    expect(dialed.at - h.app.to('/voice')[0]!.at).toBeLessThan(3000);
  });

  it('REST To=client:alice reaches her registered phone', async ({ expect, onTestFinished }) => {
    const { h } = await startDialer(onTestFinished, SIPP_REGISTRAR);
    const alice = await registeredPhone(h, expect, onTestFinished, 'alice', 'router-uas-answer', { hangup: 'engine' });
    h.app.on('/outbound', respond('<Say>Hello Alice.</Say><Hangup/>'));
    const { client } = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN);
    const call = await client.calls.create({ to: 'client:alice', from: '+15550009999', url: h.app.url('/outbound') });
    const first = await h.app.waitFor((r) => r.pathname === '/outbound', 10_000, 'the Url requested');
    expect(first.params).toMatchObject({ CallSid: call.sid, To: 'client:alice', CallStatus: 'in-progress' });
    await alice.media.waitForPackets(25, 5000);
    const aliceResult = await alice.sipp.done;
    expect(aliceResult.exitCode, describeSipp(aliceResult)).toBe(0);
    expect(findMessages(aliceResult.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);
  });

  it('a trusted caller dialling sip:bob@engine reaches bob\'s registered phone', async ({ expect, onTestFinished }) => {
    const { h, caller } = await startDialer(onTestFinished, SIPP_REGISTRAR);
    const bob = await registeredPhone(h, expect, onTestFinished, 'bob', 'router-uas-answer', { hangup: 'callee', hangupAfterMs: 1500 });
    const result = await (await h.call({ scenario: 'answered', user: 'bob', media: caller, timeoutSeconds: 30 })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const bobResult = await bob.sipp.done;
    expect(bobResult.exitCode, describeSipp(bobResult)).toBe(0);
    const invite = findMessages(bobResult.trace, { direction: 'received', method: 'INVITE' })[0];
    expect(invite?.firstLine).toBe(contactRequestLine('bob'));
    expect(invite?.header('From')).toContain('sip:+15550001111@');
    expect(h.app.to('/voice')).toHaveLength(0);
  });
});
