/**
 * <Dial><Client>, REST To=client:<name>, and calls to a registered user's
 * address, end to end: SIPp called parties stand for registered softphones
 * (their bindings given to the engine by a test registrar), SIPp calls in,
 * and the test's RTP sockets check the audio. A binding's Contact names a
 * private address that cannot be reached; the INVITE must still arrive,
 * sent to the address the registration came from.
 */
import { describe, it } from 'vitest';
import { describeSipp } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { noContent, respond } from './helpers/app-server.js';
import { startCallee, tonePackets } from './helpers/dial-callee.js';
import { ACCOUNT_SID, AUTH_TOKEN } from './helpers/router-harness.js';
import { TestRegistrar } from './helpers/test-registrar.js';
import { startDialer } from './helpers/dialer.js';

const LEG_EVENTS = 'initiated ringing answered completed';
/** TEST-NET-1 (RFC 5737): the private Contact of a softphone behind NAT; nothing answers there. */
const PRIVATE_CONTACT = '192.0.2.10:5060';

describe('Dial Client', () => {
  it('reaches the registered contact through the address it registered from: audio both ways, completed', async ({ expect, onTestFinished }) => {
    const registrar = new TestRegistrar();
    const { h, caller } = await startDialer(onTestFinished, { registrar });
    const alice = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'callee', hangupAfterMs: 4000 });
    onTestFinished(() => alice.media.close());
    registrar.addUser('alice').bind('alice', alice.sipp.target, PRIVATE_CONTACT);
    h.app.on(
      '/voice',
      respond(`<Say>Connecting.</Say><Dial action="/dialed"><Client statusCallback="/leg-status" statusCallbackEvent="${LEG_EVENTS}">alice</Client></Dial>`),
    );
    const call = await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 });

    const answered = await h.app.waitFor((r) => r.pathname === '/leg-status' && r.params.CallStatus === 'in-progress', 15_000, 'the client answered');
    await caller.sendTone(1000, 800);
    await alice.media.peer.waitFor(() => tonePackets(alice.media.packets, 1000).length >= 20, 5000, '1 kHz at the client');
    await alice.media.sendTone(2000, 800);
    await caller.peer.waitFor(() => tonePackets(caller.packets, 2000).length >= 20, 5000, '2 kHz at the caller');

    expect((await call.done).exitCode).toBe(0);
    const aliceResult = await alice.sipp.done;
    expect(aliceResult.exitCode, describeSipp(aliceResult)).toBe(0);
    const invite = findMessages(aliceResult.trace, { direction: 'received', method: 'INVITE' })[0];
    // The Request-URI is the registered Contact; the request went to where the REGISTER came from.
    expect(invite?.firstLine).toBe(`INVITE sip:alice@${PRIVATE_CONTACT};transport=udp SIP/2.0`);
    expect(invite?.header('From')).toContain('sip:+15550001111@');

    const parentSid = h.app.to('/voice')[0]?.params.CallSid;
    expect(h.app.to('/dialed')[0]?.params).toMatchObject({ DialCallStatus: 'completed', DialCallSid: answered.params.CallSid });
    const legs = await h.app.waitForCount('/leg-status', 4, 5000);
    expect(legs.map((r) => r.params.CallStatus)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
    for (const r of legs) expect(r.params).toMatchObject({ CallSid: answered.params.CallSid, ParentCallSid: parentSid, Direction: 'outbound-dial', To: 'client:alice' });
  });

  it('two contacts ring at once as one call: the one that answers wins, the other gets CANCEL', async ({ expect, onTestFinished }) => {
    const registrar = new TestRegistrar();
    const { h, caller } = await startDialer(onTestFinished, { registrar });
    const desk = await startCallee(h.sipp, 'uas-ring-cancelled');
    const mobile = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'callee', hangupAfterMs: 800 });
    onTestFinished(() => desk.media.close());
    onTestFinished(() => mobile.media.close());
    registrar.addUser('alice').bind('alice', desk.sipp.target).bind('alice', mobile.sipp.target);
    h.app.on('/voice', respond(`<Dial action="/dialed"><Client statusCallback="/leg-status" statusCallbackEvent="${LEG_EVENTS}">alice</Client></Dial>`));
    const result = await (await h.call({ scenario: 'answered', user: 'dialer', media: caller, timeoutSeconds: 30 })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);

    const loser = await desk.sipp.done;
    expect(loser.exitCode, describeSipp(loser)).toBe(0);
    expect(findMessages(loser.trace, { direction: 'received', method: 'INVITE' })).toHaveLength(1);
    expect(findMessages(loser.trace, { direction: 'received', method: 'CANCEL' })).toHaveLength(1);
    const winner = await mobile.sipp.done;
    expect(winner.exitCode, describeSipp(winner)).toBe(0);
    expect(findMessages(winner.trace, { direction: 'received', method: 'CANCEL' })).toHaveLength(0);

    // One child call: one CallSid, each event once.
    const legs = await h.app.waitForCount('/leg-status', 4, 5000);
    expect(legs.map((r) => r.params.CallStatus)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
    expect(new Set(legs.map((r) => r.params.CallSid)).size).toBe(1);
    expect(h.app.to('/dialed')[0]?.params).toMatchObject({ DialCallStatus: 'completed', DialCallSid: legs[0]?.params.CallSid });
  });

  it('busy only when every contact is busy', async ({ expect, onTestFinished }) => {
    const registrar = new TestRegistrar();
    const { h, caller } = await startDialer(onTestFinished, { registrar });
    const first = await startCallee(h.sipp, 'uas-reject-with');
    const second = await startCallee(h.sipp, 'uas-reject-with');
    onTestFinished(() => first.media.close());
    onTestFinished(() => second.media.close());
    registrar.addUser('alice').bind('alice', first.sipp.target).bind('alice', second.sipp.target);
    h.app.on('/voice', respond('<Dial action="/dialed"><Client>alice</Client></Dial>'));
    expect((await (await h.call({ scenario: 'answered', user: 'dialer', media: caller })).done).exitCode).toBe(0);
    for (const peer of [first, second]) expect(findMessages((await peer.sipp.done).trace, { direction: 'received', method: 'INVITE' })).toHaveLength(1);
    expect(h.app.to('/dialed')[0]?.params).toMatchObject({ DialCallStatus: 'busy', DialCallSid: expect.stringMatching(/^CA[0-9a-f]{32}$/) });
  });

  it('a user with no binding, and a name that is no user: no-answer at once, with the child call', async ({ expect, onTestFinished }) => {
    const registrar = new TestRegistrar();
    const { h, caller } = await startDialer(onTestFinished, { registrar });
    registrar.addUser('carol');
    h.app.on('/voice', respond(`<Dial action="/dialed" timeout="30"><Client statusCallback="/leg-status" statusCallbackEvent="${LEG_EVENTS}">carol</Client></Dial>`));
    h.app.on('/dialed', respond('<Hangup/>'));
    const result = await (await h.call({ scenario: 'answered', user: 'dialer', media: caller })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const voice = h.app.to('/voice')[0]!;
    const dialed = h.app.to('/dialed')[0]!;
    // Well under the 30 s Dial timeout: nothing was rung.
    expect(dialed.at - voice.at).toBeLessThan(3000);
    const [completed] = await h.app.waitForCount('/leg-status', 1, 5000);
    expect(dialed.params).toMatchObject({ DialCallStatus: 'no-answer', DialCallSid: completed?.params.CallSid });
    expect(completed?.params).toMatchObject({ CallStatus: 'no-answer', To: 'client:carol', Direction: 'outbound-dial' });

    h.app.on('/voice', respond('<Dial action="/dialed"><Client>nobody</Client></Dial>'));
    expect((await (await h.call({ scenario: 'answered', user: 'dialer', media: caller })).done).exitCode).toBe(0);
    expect(h.app.to('/dialed')[1]?.params.DialCallStatus).toBe('no-answer');
  });
});

describe('calls to registered users', () => {
  it('REST To=client:alice rings her contact and runs the Url once answered; an unknown client is 400', async ({ expect, onTestFinished }) => {
    const registrar = new TestRegistrar();
    const { h } = await startDialer(onTestFinished, { registrar });
    const alice = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'engine' });
    onTestFinished(() => alice.media.close());
    registrar.addUser('alice').bind('alice', alice.sipp.target, PRIVATE_CONTACT);
    h.app.on('/outbound', respond('<Say>Hello Alice.</Say><Hangup/>'));
    h.app.on('/status', noContent());
    const { client } = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN);
    const call = await client.calls.create({ to: 'client:alice', from: 'client:bob', url: h.app.url('/outbound'), statusCallback: h.app.url('/status') });
    expect(call.to).toBe('client:alice');
    const first = await h.app.waitFor((r) => r.pathname === '/outbound', 10_000, 'the Url requested');
    expect(first.params).toMatchObject({ CallSid: call.sid, To: 'client:alice', CallStatus: 'in-progress', Direction: 'outbound-api' });
    const aliceResult = await alice.sipp.done;
    expect(aliceResult.exitCode, describeSipp(aliceResult)).toBe(0);
    const invite = findMessages(aliceResult.trace, { direction: 'received', method: 'INVITE' })[0];
    expect(invite?.firstLine).toBe(`INVITE sip:alice@${PRIVATE_CONTACT};transport=udp SIP/2.0`);
    expect(invite?.header('From')).toMatch(/<sip:bob@/);
    await alice.media.waitForPackets(25, 5000);
    const done = await h.app.waitFor((r) => r.pathname === '/status', 5000, 'completed');
    expect(done.params).toMatchObject({ CallStatus: 'completed', To: 'client:alice' });

    const refused = await client.calls.create({ to: 'client:zed', from: '+15550009999', url: h.app.url('/outbound') }).then(
      () => undefined,
      (err: unknown) => err as { status?: number; message?: string },
    );
    expect(refused?.status).toBe(400);
    expect(refused?.message).toContain('no SIP user named zed');
  });

  it('an INVITE to a registered user (no route of its own) rings that user', async ({ expect, onTestFinished }) => {
    const registrar = new TestRegistrar();
    const { h, caller } = await startDialer(onTestFinished, { registrar });
    const bob = await startCallee(h.sipp, 'router-uas-answer', { hangup: 'callee', hangupAfterMs: 1500 });
    onTestFinished(() => bob.media.close());
    registrar.addUser('bob').bind('bob', bob.sipp.target, PRIVATE_CONTACT);
    // 'dialer' is a SIP user too, but its explicit route wins: the application answers it.
    registrar.addUser('dialer').bind('dialer', bob.sipp.target);
    h.app.on('/voice', respond('<Hangup/>'));

    const result = await (await h.call({ scenario: 'answered', user: 'bob', media: caller, timeoutSeconds: 30 })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const bobResult = await bob.sipp.done;
    expect(bobResult.exitCode, describeSipp(bobResult)).toBe(0);
    const invite = findMessages(bobResult.trace, { direction: 'received', method: 'INVITE' })[0];
    expect(invite?.firstLine).toBe(`INVITE sip:bob@${PRIVATE_CONTACT};transport=udp SIP/2.0`);
    expect(invite?.header('From')).toContain('sip:+15550001111@');
    // No application was asked.
    expect(h.app.to('/voice')).toHaveLength(0);

    expect((await (await h.call({ scenario: 'answered', user: 'dialer', media: caller })).done).exitCode).toBe(0);
    expect(h.app.to('/voice')).toHaveLength(1);
  });
});
