/**
 * <Refer> end to end (Twilio's outbound SIP REFER): the engine asks the SIP
 * party of a call (a SIPp caller, or a SIPp called party of a REST-created
 * call) to transfer itself: a REFER with Refer-To the <Sip> URI (its X-
 * header copied onto the REFER) and Referred-By, then it follows the
 * party's NOTIFYs (RFC 3515). The action gets ReferCallStatus,
 * ReferSipResponseCode and NotifySipResponseCode with Twilio's values; the
 * call goes on with the action's document, or with the next verb, and ends
 * with the engine's BYE when the document does.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import twilio from 'twilio';
import { describe, it, type ExpectStatic } from 'vitest';
import { mulawDecode } from '../../media/embedded/audio/g711.js';
import { rmsDbfs } from '../../media/embedded/dsp/silence.js';
import { describeSipp, type SippMessage, type SippProcess, type SippResult } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { twilioClientFor } from '../support/twilio-client.js';
import { respond, twiml, type AppRequest } from './helpers/app-server.js';
import { expectCallRequest } from './helpers/call-expectations.js';
import { CallerMedia, PT_PCMU } from './helpers/caller-media.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter, type RouterHarness } from './helpers/router-harness.js';

const scenario = (name: string): string => fileURLToPath(new URL(`../scenarios/${name}.xml`, import.meta.url));

const TARGET = 'sip:alice@example.com?X-Custom=1';

/** A document made with the twilio library, as an application would make it. */
function referDocument(attributes: { action?: string; method?: 'GET' | 'POST' }, after?: string): ReturnType<typeof twiml> {
  const r = new twilio.twiml.VoiceResponse();
  r.refer(attributes).sip(TARGET);
  if (after !== undefined) r.say(after);
  return twiml(r.toString());
}

async function setUp(onTestFinished: (fn: () => Promise<void> | void) => void): Promise<{ h: RouterHarness; caller: CallerMedia }> {
  const h = await startRouter({ applications: [{ id: 'transfers', voice: '/voice' }] });
  onTestFinished(() => h.stop());
  const caller = await CallerMedia.open();
  onTestFinished(() => caller.close());
  return { h, caller };
}

/** A SIPp caller running one of the router-uac-referred* scenarios (or a copy of one, by path). */
function callWith(h: RouterHarness, caller: CallerMedia, name: string, keys: Record<string, string> = {}, extraArgs: string[] = []): Promise<SippProcess> {
  return h.sipp.start({ scenario: name.startsWith('/') ? name : scenario(name), remote: h.sipTarget, service: 'transfers', keys: { ...caller.sippKeys, ...keys }, timeoutSeconds: 30, extraArgs });
}

/** router-uac-referred-refused.xml refusing with another status: SIPp checks status codes on load, so a copy is written. */
async function refusingScenario(onTestFinished: (fn: () => Promise<void>) => void, statusLine: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'refer-scenario-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const template = await readFile(scenario('router-uac-referred-refused'), 'utf8');
  if (!template.includes('SIP/2.0 603 Decline')) throw new Error('router-uac-referred-refused.xml has no 603 Decline line');
  const path = join(dir, 'router-uac-referred-refused.xml');
  await writeFile(path, template.replace('SIP/2.0 603 Decline', statusLine));
  return path;
}

function only<T>(list: T[], what: string, result: SippResult): T {
  if (list.length !== 1) throw new Error(`expected one ${what}, saw ${list.length}\n${describeSipp(result)}`);
  return list[0]!;
}

/** The REFER the party received: Refer-To the URI of <Sip> in <...>, its X- header, and Referred-By. */
function expectRefer(expect: ExpectStatic, result: SippResult, referredBy: RegExp): SippMessage {
  // One REFER, though it may arrive more than once: a retransmission (the test's T1 is 50 ms) has its CSeq and branch.
  const received = findMessages(result.trace, { direction: 'received', method: 'REFER' });
  expect(new Set(received.map((m) => `${m.header('CSeq')} ${m.header('Via')}`)).size, describeSipp(result)).toBe(1);
  const refer = received[0]!;
  expect(refer.header('Refer-To')).toBe(`<${TARGET}>`);
  expect(refer.header('X-Custom')).toBe('1');
  expect(refer.header('Referred-By')).toMatch(referredBy);
  return refer;
}

/** PCMU packets carrying sound (not silence). */
function voicedPackets(packets: readonly { pt: number; payload: Uint8Array }[]): number {
  return packets.filter((p) => p.pt === PT_PCMU && rmsDbfs(mulawDecode(p.payload)) > -40).length;
}

function referParamsOf(req: AppRequest): Record<string, string | undefined> {
  const { ReferCallStatus, ReferSipResponseCode, NotifySipResponseCode } = req.params;
  return { ReferCallStatus, ReferSipResponseCode, NotifySipResponseCode };
}

describe('<Refer>', () => {
  it('accepted, NOTIFY 100 Trying then 200 OK: the action gets in-progress, 202, 200; its <Hangup/> ends the call with BYE after the final NOTIFY', async ({
    expect,
    onTestFinished,
  }) => {
    const { h, caller } = await setUp(onTestFinished);
    h.app.on('/voice', referDocument({ action: '/transferred' }, 'not reached: the action replaces this document'));
    h.app.on('/transferred', respond('<Hangup/>'));
    const result = await (await callWith(h, caller, 'router-uac-referred', { sipfrag: '200 OK' })).done;
    // The scenario checked that both NOTIFYs were answered 200 and that the BYE came.
    expect(result.exitCode, describeSipp(result)).toBe(0);

    const refer = expectRefer(expect, result, /^<sip:transfers@127\.0\.0\.1(:\d+)?>$/);
    const answered = only(findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' }), '200 OK', result);
    expect(refer.time).toBeGreaterThanOrEqual(answered.time);
    const notifies = findMessages(result.trace, { direction: 'sent', method: 'NOTIFY' });
    const bye = only(findMessages(result.trace, { direction: 'received', method: 'BYE' }), 'BYE', result);
    expect(bye.time).toBeGreaterThanOrEqual(notifies[1]!.time);

    const [action] = h.app.to('/transferred');
    expect(action, 'the action was requested').toBeDefined();
    expect(action!.method).toBe('POST');
    expect(referParamsOf(action!)).toEqual({ ReferCallStatus: 'in-progress', ReferSipResponseCode: '202', NotifySipResponseCode: '200' });
    const callSid = expectCallRequest(expect, action!, { user: 'transfers' });
    expect(callSid).toBe(h.app.to('/voice')[0]?.params.CallSid);
    // The document's own Say after the Refer never ran: the caller heard nothing.
    expect(voicedPackets(caller.packets)).toBe(0);
  });

  it('accepted, no action: the next verb runs once the transfer is done, and the end of the document ends the call (BYE)', async ({ expect, onTestFinished }) => {
    const { h, caller } = await setUp(onTestFinished);
    h.app.on('/voice', referDocument({}, 'You were transferred.'));
    const result = await (await callWith(h, caller, 'router-uac-referred', { sipfrag: '200 OK' })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expectRefer(expect, result, /^<sip:transfers@/);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);
    expect(voicedPackets(caller.packets), 'the Say after the Refer').toBeGreaterThanOrEqual(20);
    expect(h.app.requests.map((r) => r.pathname)).toEqual(['/voice']);
  });

  it('accepted, then NOTIFY 486 Busy Here: the action gets busy, 202, 486; its document runs on the call (Say, then BYE)', async ({ expect, onTestFinished }) => {
    const { h, caller } = await setUp(onTestFinished);
    h.app.on('/voice', referDocument({ action: '/transferred', method: 'GET' }));
    h.app.on('/transferred', respond('<Say>The transfer failed.</Say><Hangup/>'));
    const result = await (await callWith(h, caller, 'router-uac-referred', { sipfrag: '486 Busy Here' })).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expectRefer(expect, result, /^<sip:transfers@/);
    const [action] = h.app.to('/transferred');
    expect(action?.method).toBe('GET');
    expect(referParamsOf(action!)).toEqual({ ReferCallStatus: 'busy', ReferSipResponseCode: '202', NotifySipResponseCode: '486' });
    expect(voicedPackets(caller.packets), "the action's Say").toBeGreaterThanOrEqual(20);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);
  });

  it('refused with 603 Decline: the action gets failed and 603, no NotifySipResponseCode; the call goes on', async ({ expect, onTestFinished }) => {
    const { h, caller } = await setUp(onTestFinished);
    h.app.on('/voice', referDocument({ action: '/transferred' }));
    h.app.on('/transferred', respond('<Say>Sorry.</Say><Hangup/>'));
    const result = await (await callWith(h, caller, 'router-uac-referred-refused')).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expectRefer(expect, result, /^<sip:transfers@/);
    expect(only(findMessages(result.trace, { direction: 'sent', cseqMethod: 'REFER' }), 'answer to the REFER', result).status).toBe(603);
    expect(findMessages(result.trace, { direction: 'sent', method: 'NOTIFY' })).toHaveLength(0);
    const [action] = h.app.to('/transferred');
    expect(referParamsOf(action!)).toEqual({ ReferCallStatus: 'failed', ReferSipResponseCode: '603', NotifySipResponseCode: undefined });
    expect(voicedPackets(caller.packets), "the action's Say").toBeGreaterThanOrEqual(10);
  });

  it('refused with 405 Method Not Allowed and no action: the next verb runs, then BYE', async ({ expect, onTestFinished }) => {
    const { h, caller } = await setUp(onTestFinished);
    h.app.on('/voice', referDocument({}, 'The transfer did not work.'));
    const result = await (await callWith(h, caller, await refusingScenario(onTestFinished, 'SIP/2.0 405 Method Not Allowed'))).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expectRefer(expect, result, /^<sip:transfers@/);
    expect(only(findMessages(result.trace, { direction: 'sent', cseqMethod: 'REFER' }), 'answer to the REFER', result).status).toBe(405);
    expect(voicedPackets(caller.packets), 'the Say after the Refer').toBeGreaterThanOrEqual(20);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);
  });

  it('a NOTIFY whose sipfrag is not a status line is answered 400 and counts as failed; the call goes on', async ({ expect, onTestFinished }) => {
    const { h, caller } = await setUp(onTestFinished);
    h.app.on('/voice', referDocument({ action: '/transferred' }));
    h.app.on('/transferred', respond('<Say>Sorry.</Say><Hangup/>'));
    const result = await (await callWith(h, caller, 'router-uac-referred-malformed')).done;
    // The scenario checked the 400 for its NOTIFY and the engine's BYE.
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const [action] = h.app.to('/transferred');
    expect(referParamsOf(action!)).toEqual({ ReferCallStatus: 'failed', ReferSipResponseCode: '202', NotifySipResponseCode: undefined });
    expect(voicedPackets(caller.packets), "the action's Say").toBeGreaterThanOrEqual(10);
  });

  it('the caller hangs up while the transfer rings: the action still gets canceled, 202, 180; the engine sends no BYE of its own', async ({ expect, onTestFinished }) => {
    const { h, caller } = await setUp(onTestFinished);
    h.app.on('/voice', referDocument({ action: '/transferred' }));
    h.app.on('/transferred', respond('<Say>never heard</Say>'));
    const result = await (await callWith(h, caller, 'router-uac-referred-hangup', {}, ['-d', '500'])).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const action = await h.app.waitFor((r) => r.pathname === '/transferred', 5000, 'the action after the hangup');
    expect(referParamsOf(action)).toEqual({ ReferCallStatus: 'canceled', ReferSipResponseCode: '202', NotifySipResponseCode: '180' });
    expect(action.params.CallStatus).toBe('completed');
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(0);
    expect(voicedPackets(caller.packets)).toBe(0);
  });

  it('on a call placed through the REST API: the called party gets the REFER (Referred-By the call\'s From) and the action the same parameters', async ({
    expect,
    onTestFinished,
  }) => {
    const h = await startRouter({ applications: [{ id: 'transfers', voice: '/voice' }] });
    onTestFinished(() => h.stop());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());
    const callee = await h.sipp.start({ scenario: scenario('router-uas-referred'), keys: media.sippKeys, timeoutSeconds: 30 });
    h.app.on('/outbound', referDocument({ action: '/transferred' }));
    h.app.on('/transferred', respond('<Hangup/>'));
    const { client } = twilioClientFor(h.apiBase, ACCOUNT_SID, AUTH_TOKEN);
    const call = await client.calls.create({ to: `sip:callee@${callee.target}`, from: '+15550009999', url: h.app.url('/outbound') });

    const result = await callee.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expectRefer(expect, result, /^<sip:\+15550009999@/);
    const [action] = h.app.to('/transferred');
    expect(referParamsOf(action!)).toEqual({ ReferCallStatus: 'in-progress', ReferSipResponseCode: '202', NotifySipResponseCode: '200' });
    expect(action!.params).toMatchObject({ CallSid: call.sid, Direction: 'outbound-api' });
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);
  });
});
