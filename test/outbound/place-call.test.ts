/**
 * placeCall against SIPp as the called party, through the embedded SIP
 * server and the real drachtio-srf: answered calls, rejections, our own
 * timeout and abort (CANCEL), an answer that crosses our CANCEL, early
 * media, and calls that cannot be placed.
 */
import Srf from 'drachtio-srf';
import { describe } from 'vitest';
import { placeCall, type CallOutcome } from '../../engine/outbound/place-call.js';
import { describeSipp, type SippResult } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { SipServer } from '../../engine/sipstack/sip-server.js';
import { ADMIN_SECRET, destroyDialog, startSrfHarness } from '../support/srf-app.js';
import { freeTcpPort } from '../support/ports.js';
import { callTest, FAST_TIMERS, IDLE_DEADLINE_MS, OFFER_SDP, rejectingScenario, scenario, uriOf } from './fixtures.js';

function answered(outcome: CallOutcome): Extract<CallOutcome, { kind: 'answered' }> {
  if (outcome.kind !== 'answered') throw new Error(`expected an answered call, got ${JSON.stringify(outcome)}`);
  return outcome;
}

function inviteOf(result: SippResult) {
  const invite = findMessages(result.trace, { direction: 'received', method: 'INVITE' })[0];
  if (!invite) throw new Error(`SIPp received no INVITE\n${describeSipp(result)}`);
  return invite;
}

describe.concurrent('placeCall', () => {
  callTest('an answered call has the far end SDP and a working dialog that we can end with BYE', async ({ harness, sipp, logs, expect }) => {
    const uas = await sipp.start({ scenario: scenario('uas-answer') });
    const sent: string[] = [];
    const provisional: number[] = [];
    const outcome = answered(
      await placeCall({
        srf: harness.srf,
        target: { requestUri: uriOf(uas, '+15550100') },
        from: { user: '+15550001', displayName: 'Alice "A" Example' },
        localSdp: OFFER_SDP,
        timeoutSeconds: 10,
        headers: { 'X-Dialtone-Test': 'answered', from: 'ignored <sip:nobody@example.com>' },
        onRequestSent: (callId) => sent.push(callId),
        onProvisional: (status) => provisional.push(status),
        log: logs.log,
      }),
    );
    expect(outcome.remoteSdp).toContain('s=sipp-uas');
    expect(sent).toEqual([outcome.callId]);
    expect(provisional).toEqual([180]);
    expect(harness.server.stats().dialogs).toBe(1);

    const bye = await destroyDialog(outcome.dialog);
    expect(bye.method).toBe('BYE');
    const result = await uas.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const invite = inviteOf(result);
    expect(invite.firstLine).toBe(`INVITE sip:+15550100@${uas.target} SIP/2.0`);
    expect(invite.header('Call-ID')).toBe(outcome.callId);
    expect(invite.header('From')).toMatch(/^"Alice \\"A\\" Example" <sip:\+15550001@127\.0\.0\.1>;tag=\S+$/);
    expect(invite.header('X-Dialtone-Test')).toBe('answered');
    expect(invite.body).toContain('s=dialtone-outbound');
    expect(findMessages(result.trace, { direction: 'received', method: 'ACK' })).toHaveLength(1);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);
    await harness.waitForIdle(IDLE_DEADLINE_MS);
  });

  callTest.for([
    [486, 'Busy Here', 'busy'],
    [600, 'Busy Everywhere', 'busy'],
    [603, 'Decline', 'busy'],
    [404, 'Not Found', 'failed'],
    [500, 'Server Internal Error', 'failed'],
    [480, 'Temporarily Unavailable', 'no-answer'],
  ] as const)('a %i %s final response is %s', async ([status, reason, kind], { harness, sipp, logs, tmp, expect }) => {
    const uas = await sipp.start({ scenario: await rejectingScenario(tmp, status, reason) });
    const provisional: number[] = [];
    const outcome = await placeCall({
      srf: harness.srf,
      target: { requestUri: uriOf(uas) },
      from: { user: 'dialtone' },
      localSdp: OFFER_SDP,
      timeoutSeconds: 10,
      onProvisional: (s) => provisional.push(s),
      log: logs.log,
    });
    expect(outcome).toMatchObject({ kind, sipStatus: status, reason: `${status} ${reason}` });
    expect(outcome.callId).toBeTruthy();
    expect(provisional).toEqual([180]);
    const result = await uas.done;
    // SIPp's scenario ends with the ACK of its final response.
    expect(result.exitCode, describeSipp(result)).toBe(0);
    await harness.waitForIdle(IDLE_DEADLINE_MS);
    expect(harness.server.stats()).toMatchObject({ transactions: 0, dialogs: 0 });
  });

  callTest('nobody answers within the timeout: CANCEL, no-answer, nothing left in the server', async ({ harness, sipp, logs, expect }) => {
    const uas = await sipp.start({ scenario: scenario('uas-ring-cancelled') });
    const started = Date.now();
    const outcome = await placeCall({
      srf: harness.srf,
      target: { requestUri: uriOf(uas) },
      from: { user: 'dialtone' },
      localSdp: OFFER_SDP,
      timeoutSeconds: 0.6,
      log: logs.log,
    });
    const elapsed = Date.now() - started;
    expect(outcome).toMatchObject({ kind: 'no-answer', sipStatus: 487, reason: 'no answer within 0.6 s' });
    expect(elapsed).toBeGreaterThanOrEqual(590);
    expect(elapsed).toBeLessThan(3000);
    const result = await uas.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const cancels = findMessages(result.trace, { direction: 'received', method: 'CANCEL' });
    expect(cancels, describeSipp(result)).toHaveLength(1);
    const ringing = findMessages(result.trace, { direction: 'sent', status: 180 })[0]!;
    expect(cancels[0]!.time - ringing.time).toBeGreaterThan(400);
    expect(cancels[0]!.header('Call-ID')).toBe(outcome.callId);
    await harness.waitForIdle(IDLE_DEADLINE_MS);
    expect(harness.server.stats()).toMatchObject({ transactions: 0, dialogs: 0 });
  });

  callTest('an abort while ringing sends CANCEL and the call is canceled', async ({ harness, sipp, logs, expect }) => {
    const uas = await sipp.start({ scenario: scenario('uas-ring-cancelled') });
    const controller = new AbortController();
    const outcome = await placeCall({
      srf: harness.srf,
      target: { requestUri: uriOf(uas) },
      from: { user: 'dialtone' },
      localSdp: OFFER_SDP,
      timeoutSeconds: 30,
      signal: controller.signal,
      onProvisional: (status) => {
        if (status === 180) controller.abort(new Error('the caller hung up'));
      },
      log: logs.log,
    });
    expect(outcome).toMatchObject({ kind: 'canceled', sipStatus: 487, reason: 'canceled: the caller hung up' });
    const result = await uas.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(findMessages(result.trace, { direction: 'received', method: 'CANCEL' })).toHaveLength(1);
    await harness.waitForIdle(IDLE_DEADLINE_MS);
  });

  callTest('an abort before anything was sent places no call', async ({ harness, sipp, logs, expect }) => {
    const uas = await sipp.start({ scenario: scenario('uas-answer') });
    const controller = new AbortController();
    controller.abort();
    const outcome = await placeCall({
      srf: harness.srf,
      target: { requestUri: uriOf(uas) },
      from: { user: 'dialtone' },
      localSdp: OFFER_SDP,
      timeoutSeconds: 5,
      signal: controller.signal,
      log: logs.log,
    });
    expect(outcome).toEqual({ kind: 'canceled', reason: 'canceled by the caller' });
    const result = await uas.kill();
    expect(findMessages(result.trace, { direction: 'received' })).toHaveLength(0);
  });

  callTest.for(['timeout', 'abort'] as const)('a 200 OK that crosses our CANCEL (%s) is ACKed and released with BYE', async (why, { harness, sipp, logs, expect }) => {
    const uas = await sipp.start({ scenario: scenario('uas-answer-despite-cancel') });
    const controller = new AbortController();
    const outcome = await placeCall({
      srf: harness.srf,
      target: { requestUri: uriOf(uas) },
      from: { user: 'dialtone' },
      localSdp: OFFER_SDP,
      timeoutSeconds: why === 'timeout' ? 0.3 : 30,
      signal: controller.signal,
      onProvisional: () => {
        if (why === 'abort') controller.abort();
      },
      log: logs.log,
    });
    expect(outcome.kind).toBe(why === 'timeout' ? 'no-answer' : 'canceled');
    expect(outcome).not.toHaveProperty('dialog');
    const result = await uas.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(findMessages(result.trace, { direction: 'received', method: 'ACK' })).toHaveLength(1);
    const byes = findMessages(result.trace, { direction: 'received', method: 'BYE' });
    expect(byes, describeSipp(result)).toHaveLength(1);
    expect(byes[0]!.header('Call-ID')).toBe(outcome.callId);
    await harness.waitForIdle(IDLE_DEADLINE_MS);
    expect(harness.server.stats()).toMatchObject({ transactions: 0, dialogs: 0 });
  });

  callTest('a peer that ignores our CANCEL: the outcome comes after a bounded wait, and its late answer is released', async ({ sipp, logs, expect }) => {
    // RFC 3261 default T1, so the server would hold the INVITE for 64*T1 = 32 s.
    const harness = await startSrfHarness({ timers: { t1: 500, t2: 4000, t4: 5000, d: 3200 } });
    try {
      const uas = await sipp.start({ scenario: scenario('uas-ignore-cancel-answer-late') });
      const started = Date.now();
      const outcome = await placeCall({
        srf: harness.srf,
        target: { requestUri: uriOf(uas) },
        from: { user: 'dialtone' },
        localSdp: OFFER_SDP,
        timeoutSeconds: 0.3,
        log: logs.log,
      });
      const elapsed = Date.now() - started;
      expect(outcome).toMatchObject({ kind: 'no-answer', reason: 'no answer within 0.3 s' });
      expect(outcome).not.toHaveProperty('sipStatus');
      expect(elapsed).toBeGreaterThanOrEqual(4000);
      expect(elapsed).toBeLessThan(5500);
      const result = await uas.done;
      expect(result.exitCode, describeSipp(result)).toBe(0);
      expect(findMessages(result.trace, { direction: 'received', method: 'ACK' })).toHaveLength(1);
      expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(1);
    } finally {
      await harness.stop();
    }
  });

  callTest('183 with SDP is early media, reported once per distinct SDP and before the answer', async ({ harness, sipp, logs, expect }) => {
    const uas = await sipp.start({ scenario: scenario('uas-early-media-answer') });
    const events: string[] = [];
    const outcome = answered(
      await placeCall({
        srf: harness.srf,
        target: { requestUri: uriOf(uas) },
        from: { user: 'dialtone' },
        localSdp: OFFER_SDP,
        timeoutSeconds: 10,
        onProvisional: (status) => events.push(`provisional ${status}`),
        onEarlyMedia: (sdp) => events.push(`early media ${/^s=(.*)$/m.exec(sdp)?.[1] ?? '?'}`),
        log: logs.log,
      }),
    );
    events.push('answered');
    expect(events).toEqual(['provisional 183', 'early media sipp-early', 'provisional 183', 'answered']);
    expect(outcome.remoteSdp).toContain('s=sipp-uas');
    await destroyDialog(outcome.dialog);
    const result = await uas.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
  });

  callTest('a TCP peer that is not there: failed, with the 503 of our SIP server', async ({ harness, logs, expect }) => {
    const port = await freeTcpPort();
    const outcome = await placeCall({
      srf: harness.srf,
      target: { requestUri: `sip:nobody@127.0.0.1:${port};transport=tcp` },
      from: { user: 'dialtone' },
      localSdp: OFFER_SDP,
      timeoutSeconds: 5,
      log: logs.log,
    });
    expect(outcome).toMatchObject({ kind: 'failed', sipStatus: 503 });
    await harness.waitForIdle(IDLE_DEADLINE_MS);
  });

  callTest('a request the SIP server cannot send: failed with its reason, no SIP status', async ({ harness, logs, expect }) => {
    const outcome = await placeCall({
      srf: harness.srf,
      target: { requestUri: 'sip:nobody@127.0.0.1:5060;transport=ws' },
      from: { user: 'dialtone' },
      localSdp: OFFER_SDP,
      timeoutSeconds: 5,
      log: logs.log,
    });
    expect(outcome.kind).toBe('failed');
    expect(outcome).not.toHaveProperty('sipStatus');
    expect(outcome.kind !== 'answered' && outcome.reason).toMatch(/could not place the call: requested protocol\/transport not available/);
  });

  callTest('an application not connected to any SIP server: failed, not a throw', async ({ logs, expect }) => {
    const outcome = await placeCall({
      srf: new Srf(),
      target: { requestUri: 'sip:nobody@127.0.0.1' },
      from: { user: 'dialtone' },
      localSdp: OFFER_SDP,
      timeoutSeconds: 5,
      log: logs.log,
    });
    expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/^could not place the call: .*unconnected/) });
  });

  callTest('the SIP server goes away while ringing: failed, without waiting for the timeout', async ({ sipp, logs, expect }) => {
    const server = new SipServer({
      sip: { address: '127.0.0.1', port: 0, transports: ['udp'] },
      admin: { address: '127.0.0.1', port: 0, secret: ADMIN_SECRET },
      timers: FAST_TIMERS,
    });
    const info = await server.start();
    const srf = new Srf();
    srf.on('error', () => undefined);
    try {
      // One connection attempt only: the server does not come back.
      const config = { host: info.admin.address, port: info.admin.port, secret: ADMIN_SECRET, reconnect: { maxAttempts: 1 } };
      const connected = new Promise<void>((resolve) => srf.once('connect', () => resolve()));
      void srf.connect(config as Srf.SrfConfig);
      await connected;
      const uas = await sipp.start({ scenario: scenario('uas-ring-cancelled') });
      const started = Date.now();
      const outcome = await placeCall({
        srf,
        target: { requestUri: uriOf(uas) },
        from: { user: 'dialtone' },
        localSdp: OFFER_SDP,
        timeoutSeconds: 20,
        onProvisional: () => void server.stop(),
        log: logs.log,
      });
      expect(outcome).toMatchObject({ kind: 'failed', reason: 'lost the connection to the SIP server before the call was answered' });
      expect(outcome.callId).toBeTruthy();
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await server.stop();
    }
  });

  callTest('a bad timeout is an outcome, not a throw', async ({ harness, logs, expect }) => {
    for (const timeoutSeconds of [0, -1, Number.NaN]) {
      const outcome = await placeCall({
        srf: harness.srf,
        target: { requestUri: 'sip:nobody@127.0.0.1' },
        from: { user: 'dialtone' },
        localSdp: OFFER_SDP,
        timeoutSeconds,
        log: logs.log,
      });
      expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/timeoutSeconds must be a positive number/) });
    }
    expect(harness.server.stats().transactions).toBe(0);
  });
});
