/**
 * REFER inside a call (RFC 3515) end to end: a SIPp caller presses
 * "transfer". A REFER that a signaling-event rule reports is accepted at
 * once (202, NOTIFY 100 Trying) and the phone is told how the application's
 * callback decided (NOTIFY 200 OK when it answered with instructions, 603
 * Declined otherwise); a REFER nothing reports is declined (603); a
 * malformed one is refused (400).
 */
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { describe, it } from 'vitest';
import { waitUntil } from '../support/ports.js';
import { describeSipp, type SippMessage, type SippProcess, type SippResult } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { hang, httpStatus, noContent, respond, twiml, type Reply } from '../router/helpers/app-server.js';
import { CallerMedia } from '../router/helpers/caller-media.js';
import { ACCOUNT_SID, AUTH_TOKEN, startRouter, type RouterHarness, type TestApplication } from '../router/helpers/router-harness.js';
import { twilioAccepts } from '../router/helpers/signature.js';

const scenario = (name: string): string => fileURLToPath(new URL(`../scenarios/${name}.xml`, import.meta.url));

/** The application: a short prompt, then a pause long enough for any test. */
const VOICE = respond('<Say>Hello.</Say><Pause length="30"/>');

type Rules = NonNullable<TestApplication['signalingEvents']>;

const REFER_RULE: Rules[number] = { id: 'transfer', url: '/refer', match: { method: 'REFER' }, include: { headers: ['Refer-To', 'Referred-By'] } };

async function setUp(
  onTestFinished: (fn: () => Promise<void> | void) => void,
  rules: Rules | undefined,
  delivery?: Parameters<typeof startRouter>[0]['signalingEventDelivery'],
  logger?: Logger,
): Promise<{ h: RouterHarness; call: (name: string) => Promise<SippProcess> }> {
  const h = await startRouter({
    applications: [{ id: 'xfer', voice: '/voice', ...(rules ? { signalingEvents: rules } : {}) }],
    signalingEventDelivery: delivery,
    ...(logger ? { logger } : {}),
  });
  onTestFinished(() => h.stop());
  const media = await CallerMedia.open();
  onTestFinished(() => media.close());
  h.app.on('/voice', VOICE);
  const call = (name: string): Promise<SippProcess> =>
    h.sipp.start({ scenario: scenario(name), remote: h.sipTarget, service: 'xfer', keys: media.sippKeys, timeoutSeconds: 25 });
  return { h, call };
}

/** The engine's log lines, parsed. */
function capturedLog(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) }));
  return { logger, lines };
}

const only = <T>(list: T[], what: string, result: SippResult): T => {
  if (list.length !== 1) throw new Error(`expected one ${what}, saw ${list.length}\n${describeSipp(result)}`);
  return list[0]!;
};

describe('REFER inside a call', () => {
  it('a callback answering instructions: 202 at once despite a 2 s callback, NOTIFY 100 Trying, the callback gets the target, NOTIFY 200 OK terminated, then the redirect runs (Say, BYE)', async ({
    expect,
    onTestFinished,
  }) => {
    const { h, call } = await setUp(onTestFinished, [REFER_RULE]);
    h.app.on('/refer', { kind: 'xml', body: '<?xml version="1.0"?><Response><Say>transferring</Say><Hangup/></Response>', delayMs: 2000 });
    const result = await (await call('router-uac-refer')).done;
    // The scenario checked 202, both NOTIFYs (sipfrag, Subscription-State, Event) and the engine's BYE.
    expect(result.exitCode, describeSipp(result)).toBe(0);

    const refer = only(findMessages(result.trace, { direction: 'sent', method: 'REFER' }), 'REFER', result);
    const accepted = only(findMessages(result.trace, { direction: 'received', cseqMethod: 'REFER' }), 'answer to the REFER', result);
    expect(accepted.status).toBe(202);
    expect(accepted.time - refer.time, '202 delay (ms)').toBeLessThan(300);

    const notifies = findMessages(result.trace, { direction: 'received', method: 'NOTIFY' });
    expect(notifies, describeSipp(result)).toHaveLength(2);
    const [trying, final] = notifies as [SippMessage, SippMessage];
    expect(trying.time - refer.time, 'first NOTIFY delay (ms)').toBeLessThan(500);
    expect(trying.body).toBe('SIP/2.0 100 Trying\r\n');
    expect(trying.header('Event')).toBe('refer');
    expect(trying.header('Content-Type')).toBe('message/sipfrag;version=2.0');
    expect(trying.header('Subscription-State')).toMatch(/^active;expires=(\d+)$/);
    expect(Number(/expires=(\d+)/.exec(trying.header('Subscription-State') ?? '')?.[1])).toBeGreaterThan(0);
    // The final NOTIFY waited for the slow callback, and came before the redirect's BYE.
    expect(final.body).toBe('SIP/2.0 200 OK\r\n');
    expect(final.header('Subscription-State')).toBe('terminated;reason=noresource');
    expect(final.header('Event')).toBe('refer');
    expect(final.header('Content-Type')).toBe('message/sipfrag;version=2.0');
    expect(final.time - refer.time, 'final NOTIFY after the 2 s callback (ms)').toBeGreaterThanOrEqual(1900);
    // In-dialog NOTIFYs (RFC 3261 12.2.1.1): same Call-ID, CSeq numbers of the engine's own, rising.
    const callId = refer.header('Call-ID');
    expect(trying.header('Call-ID')).toBe(callId);
    expect(final.header('Call-ID')).toBe(callId);
    const cseq = (m: SippMessage): number => Number.parseInt(m.header('CSeq') ?? '', 10);
    expect(cseq(final)).toBeGreaterThan(cseq(trying));
    const bye = only(findMessages(result.trace, { direction: 'received', method: 'BYE' }), 'BYE', result);
    expect(bye.time).toBeGreaterThan(final.time);

    const event = only(h.app.to('/refer'), 'REFER callback', result);
    expect(event.params.SipMethod).toBe('REFER');
    expect(event.params.RuleId).toBe('transfer');
    expect(event.params.AccountSid).toBe(ACCOUNT_SID);
    expect(event.params.CallSid).toBe(h.app.to('/voice')[0]?.params.CallSid);
    expect(event.params.ReferTransferTarget).toBe('sip:agent@pbx.example.com?X-Case=7');
    expect(event.params['SipHeader_Refer-To']).toBe('<sip:agent@pbx.example.com?X-Case=7>');
    expect(event.params['SipHeader_Referred-By']).toMatch(/^<sip:\+15550001111@127\.0\.0\.1>$/);
    expect(twilioAccepts(event, AUTH_TOKEN), 'X-Twilio-Signature').toBe(true);
    // The callback's document ran, not the voice URL again.
    expect(h.app.to('/voice')).toHaveLength(1);
  });

  const noInstructions: Array<[string, Reply]> = [
    ['204 No Content', noContent()],
    ['200 with text, not XML', twiml('transfer him, please', 'text/plain')],
    ['500 on every try', httpStatus(500)],
  ];
  it.for(noInstructions)('a callback answering %s: NOTIFY 603 Declined terminated, and the call goes on', async ([, reply], { expect, onTestFinished }) => {
    const { h, call } = await setUp(onTestFinished, [REFER_RULE], { timeoutMs: 2000, retries: 1, retryDelayMs: 50, perCallQueue: 32, endGraceMs: 2000 });
    h.app.on('/refer', reply);
    const result = await (await call('router-uac-refer-declined')).done;
    // The scenario checked 202, NOTIFY 100 Trying (active), NOTIFY 603 Declined (terminated), INFO 200, BYE 200.
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const answer = only(findMessages(result.trace, { direction: 'received', cseqMethod: 'REFER' }), 'answer to the REFER', result);
    expect(answer.status).toBe(202);
    const notifies = findMessages(result.trace, { direction: 'received', method: 'NOTIFY' });
    expect(notifies.map((n) => n.body)).toEqual(['SIP/2.0 100 Trying\r\n', 'SIP/2.0 603 Declined\r\n']);
    expect(notifies[1]?.header('Subscription-State')).toBe('terminated;reason=noresource');
    // The engine kept the call: it sent no BYE, and answered the caller's INFO and BYE.
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(0);
    expect(findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'BYE' })).toHaveLength(1);
    // A 500 was tried again (retries: 1); the others were answered once.
    expect(h.app.to('/refer')).toHaveLength(reply.kind === 'status' && reply.status === 500 ? 2 : 1);
    expect(h.app.to('/voice')).toHaveLength(1);
  });

  const unreported: Array<[string, Rules | undefined]> = [
    ['the application has no rules', undefined],
    ['its rules report INFO only', [{ id: 'info', url: '/refer', match: { method: 'INFO' } }]],
  ];
  it.for(unreported)('a REFER no rule reports gets 603 (%s), and the call goes on', async ([, rules], { expect, onTestFinished }) => {
    const { h, call } = await setUp(onTestFinished, rules);
    h.app.on('/refer', respond('<Hangup/>'));
    const result = await (await call('router-uac-refer-rejected')).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const answer = only(findMessages(result.trace, { direction: 'received', cseqMethod: 'REFER' }), 'answer to the REFER', result);
    expect(answer.status).toBe(603);
    expect(findMessages(result.trace, { direction: 'received', method: 'NOTIFY' })).toHaveLength(0);
    expect(findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'BYE' })).toHaveLength(1);
    expect(h.app.to('/refer')).toHaveLength(0);
  });

  it('a REFER without Refer-To, or with two, gets 400 (RFC 3515 2.4.1) and is not reported', async ({ expect, onTestFinished }) => {
    const { h, call } = await setUp(onTestFinished, [REFER_RULE]);
    // Were the REFERs reported, this would end the call under the caller.
    h.app.on('/refer', respond('<Hangup/>'));
    const result = await (await call('router-uac-refer-malformed')).done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const answers = findMessages(result.trace, { direction: 'received', cseqMethod: 'REFER' });
    expect(answers.map((a) => a.status)).toEqual([400, 400]);
    expect(answers.map((a) => a.firstLine)).toEqual(['SIP/2.0 400 Missing Refer-To', 'SIP/2.0 400 More than one Refer-To']);
    expect(findMessages(result.trace, { direction: 'received', method: 'NOTIFY' })).toHaveLength(0);
    expect(findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'BYE' })).toHaveLength(1);
    await waitUntil(() => h.engine.stats().calls === 0 && h.engine.stats().pendingSignalingEvents === 0, 10_000, 'the call and its events are gone');
    expect(h.app.to('/refer')).toHaveLength(0);
  });

  it('REFERs while earlier subscriptions are active are accepted, their NOTIFYs carry id=<CSeq>; a fifth is declined; nothing is sent once the call ended', async ({ expect, onTestFinished }) => {
    const { logger, lines } = capturedLog();
    const { h, call } = await setUp(onTestFinished, [REFER_RULE], { timeoutMs: 20_000, retries: 0, retryDelayMs: 0, perCallQueue: 32, endGraceMs: 200 }, logger);
    h.app.on('/refer', hang());
    const result = await (await call('router-uac-refer-many')).done;
    // The scenario checked 202 and NOTIFY 100 Trying (Event refer, then refer;id=3, 4, 5) for four REFERs, 603 for the fifth.
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(findMessages(result.trace, { direction: 'received', cseqMethod: 'REFER' }).map((m) => m.status)).toEqual([202, 202, 202, 202, 603]);
    expect(findMessages(result.trace, { direction: 'received', method: 'NOTIFY' }).map((m) => m.header('Event'))).toEqual(['refer', 'refer;id=3', 'refer;id=4', 'refer;id=5']);
    expect(lines.filter((l) => l.msg === 'REFER declined: too many REFER subscriptions in the call')).toHaveLength(1);

    // The caller hung up with every callback unanswered: after the end grace they are dropped,
    // each REFER's outcome is known, and no final NOTIFY is attempted on the ended call.
    await waitUntil(() => h.engine.stats().pendingSignalingEvents === 0, 10_000, 'the callbacks are dropped');
    const unsent = (): Array<Record<string, unknown>> => lines.filter((l) => l.msg === 'REFER subscription over: NOTIFY not sent');
    await waitUntil(() => unsent().length === 4, 5_000, 'the final NOTIFYs of the four REFERs given up');
    expect(unsent().map((l) => l.sipfrag)).toEqual(Array(4).fill('SIP/2.0 603 Declined'));
    expect(lines.filter((l) => l.msg === 'REFER not taken on by the application')).toHaveLength(4);
    expect(lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('NOTIFY of a REFER'))).toEqual([]);
  });

  it('a NOTIFY answered 481 ends the subscription: no NOTIFY follows, the call goes on', async ({ expect, onTestFinished }) => {
    const { logger, lines } = capturedLog();
    const { h, call } = await setUp(onTestFinished, [REFER_RULE], undefined, logger);
    h.app.on('/refer', noContent());
    const result = await (await call('router-uac-refer-481')).done;
    // A second NOTIFY would have arrived where the scenario waits for the INFO's 200, and failed it.
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(findMessages(result.trace, { direction: 'received', method: 'NOTIFY' })).toHaveLength(1);
    expect(findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'BYE' })).toHaveLength(1);
    const isRefusal = (l: Record<string, unknown>): boolean => l.msg === 'NOTIFY of a REFER refused: the subscription ends';
    await waitUntil(() => lines.some(isRefusal), 5_000, 'the refused NOTIFY logged');
    expect(lines.filter(isRefusal)).toEqual([expect.objectContaining({ status: 481, sipfrag: 'SIP/2.0 100 Trying' })]);
    expect(lines.filter((l) => l.msg === 'REFER not taken on by the application')).toHaveLength(1);
  });
});
