/**
 * Details that applications built on srf.createB2BUA depend on, proven with
 * a SIPp caller, the embedded SIP server, a real drachtio-srf app and a SIPp
 * callee: UTF-8 display names, a very long Call-ID, a large INVITE and which
 * transport carries it on the B leg, CANCEL relayed to the B leg, and a
 * re-INVITE without SDP (offer in the 200, answer in the ACK).
 */
import { describe } from 'vitest';
import type Srf from 'drachtio-srf';
import { describeSipp, type SippProcess, type SippTransport } from '../../support/sipp.js';
import { findMessages, type SippMessage } from '../../support/sipp-trace.js';
import { deferred, within } from '../../support/deferred.js';
import { APP_SDP_2, FAST_TIMERS, idleDeadlineMs, scenario, tagOf, uriOf, serverTest } from './fixtures.js';

/** What the test's B2BUA app saw: both legs, and the A leg's BYE. */
interface B2buaApp {
  legs: Promise<{ uas: Srf.Dialog; uac: Srf.Dialog }>;
  aHungUp: Promise<Srf.SrfRequest>;
}

/**
 * A B2BUA app: bridges every INVITE to `callee` with the caller's SDP, and
 * hangs up each leg when the other does. `extra` adds createB2BUA options.
 */
function bridgeTo(srf: Srf, callee: SippProcess, extra: (req: Srf.SrfRequest) => Partial<Srf.CreateB2BUAOptions> = () => ({})): B2buaApp {
  const legs = deferred<{ uas: Srf.Dialog; uac: Srf.Dialog }>();
  const aHungUp = deferred<Srf.SrfRequest>();
  srf.invite((req, res) => {
    srf.createB2BUA(req, res, uriOf(callee), { localSdpB: req.body, ...extra(req) }).then(
      (pair) => {
        pair.uas.on('destroy', (bye) => {
          aHungUp.resolve(bye);
          pair.uac.destroy(undefined, () => undefined);
        });
        pair.uac.on('destroy', () => pair.uas.destroy(undefined, () => undefined));
        legs.resolve(pair);
      },
      (err: unknown) => legs.reject(err instanceof Error ? err : new Error(String(err))),
    );
  });
  return { legs: legs.promise, aHungUp: aHungUp.promise };
}

function first(trace: SippMessage[], where: Parameters<typeof findMessages>[1]): SippMessage | undefined {
  return findMessages(trace, where)[0];
}

/** The quoted display name of a From/To value, exactly as it was on the wire. */
function displayName(header: string | undefined): string | undefined {
  return header ? /^\s*"((?:[^"\\]|\\.)*)"/.exec(header)?.[1] : undefined;
}

describe.concurrent('createB2BUA details', () => {
  // RFC 3261 §25.1: a display name is a quoted-string, which may hold
  // UTF8-NONASCII; a B2BUA that re-encodes or truncates it garbles names.
  serverTest('UTF-8 display names in From and To reach the far side byte for byte', async ({ harness: h, sipp, expect }) => {
    const callee = await sipp.start({ scenario: scenario('uas-answer'), transport: 'udp' });
    // drachtio-srf copies the caller's display name into the B leg's From
    // (callingName); the app copies the To display name itself.
    const app = bridgeTo(h.srf, callee, (req) => {
      const toName = displayName(req.get('To'));
      return toName ? { headers: { To: `"${toName}" <${uriOf(callee)}>` } } : {};
    });

    const caller = await sipp.run({ scenario: scenario('uac-call-utf8-names'), remote: h.sipTarget('udp'), transport: 'udp', extraArgs: ['-d', '50'] });
    const calleeResult = await callee.done;
    expect(caller.exitCode, describeSipp(caller)).toBe(0);
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);

    const bInvite = first(calleeResult.trace, { direction: 'received', method: 'INVITE' });
    expect(displayName(bInvite?.header('From')), describeSipp(calleeResult)).toBe('Zoë Ñandú 東京');
    expect(displayName(bInvite?.header('To')), describeSipp(calleeResult)).toBe('Ærøskøbing 大阪');
    // The in-dialog BYE on the B leg keeps the names too (RFC 3261 §12.2.1.1: From/To from the dialog).
    const bBye = first(calleeResult.trace, { direction: 'received', method: 'BYE' });
    expect(displayName(bBye?.header('From')), describeSipp(calleeResult)).toBe('Zoë Ñandú 東京');
    // The caller's own From/To come back unchanged in the responses (RFC 3261 §8.2.6.2).
    const aAnswer = first(caller.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' });
    expect(displayName(aAnswer?.header('From'))).toBe('Zoë Ñandú 東京');
    expect(displayName(aAnswer?.header('To'))).toBe('Ærøskøbing 大阪');

    const { uas } = await within(app.legs, 2000, 'createB2BUA to resolve');
    expect(displayName(uas.req.get('From'))).toBe('Zoë Ñandú 東京');
    await within(app.aHungUp, 2000, 'A leg destroy');
    await h.waitForIdle(idleDeadlineMs(FAST_TIMERS));
  });

  // RFC 3261 §8.1.1.4 puts no length limit on Call-ID.
  serverTest('a 300-character Call-ID works for INVITE/200/ACK/BYE through the B2BUA', async ({ harness: h, sipp, expect }) => {
    const callee = await sipp.start({ scenario: scenario('uas-answer'), transport: 'udp' });
    const app = bridgeTo(h.srf, callee);
    // SIPp's -cid_str: %u call number, %p pid, %s local IP.
    const prefix = 'long-call-id-'.padEnd(285, 'x');
    const caller = await sipp.run({
      scenario: scenario('uac-call-local-bye'),
      remote: h.sipTarget('udp'),
      transport: 'udp',
      extraArgs: ['-d', '50', '-cid_str', `${prefix}-%u-%p@%s`],
    });
    const calleeResult = await callee.done;
    expect(caller.exitCode, describeSipp(caller)).toBe(0);
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);

    const callId = first(caller.trace, { direction: 'sent', method: 'INVITE' })?.header('Call-ID') ?? '';
    expect(callId.length).toBeGreaterThanOrEqual(300);
    expect(callId.startsWith(prefix)).toBe(true);
    for (const [status, method] of [[200, 'INVITE'], [200, 'BYE']] as const) {
      const response = first(caller.trace, { direction: 'received', status, cseqMethod: method });
      expect(response?.header('Call-ID'), `${status} ${method}: ${describeSipp(caller)}`).toBe(callId);
    }
    expect(findMessages(calleeResult.trace, { direction: 'received', method: 'BYE' }).length).toBeGreaterThanOrEqual(1);

    const { uas } = await within(app.legs, 2000, 'createB2BUA to resolve');
    expect(uas.sip.callId).toBe(callId);
    expect((await within(app.aHungUp, 2000, 'A leg destroy')).get('Call-ID')).toBe(callId);
    await h.waitForIdle(idleDeadlineMs(FAST_TIMERS));
  });

  // RFC 3261 §18.1.1 lets a UAC move a request over 1300 bytes to TCP when the
  // path MTU is unknown. drachtio-server does not (it raises every transport's
  // MTU to 65535: no switching on size), so neither does the embedded server:
  // the B leg uses the transport its target names.
  describe.each<SippTransport>(['tcp', 'udp'])('a large INVITE (> 1300 bytes) from a UDP caller', (bTransport) => {
    serverTest(`is forwarded over ${bTransport} to a ;transport=${bTransport === 'tcp' ? 'tcp' : 'udp (default)'} B-leg target`, async ({ harness: h, sipp, expect }) => {
      const callee = await sipp.start({ scenario: scenario('uas-answer'), transport: bTransport });
      const app = bridgeTo(h.srf, callee);
      const caller = await sipp.run({ scenario: scenario('uac-call-large-invite'), remote: h.sipTarget('udp'), transport: 'udp', extraArgs: ['-d', '50'] });
      const calleeResult = await callee.done;
      expect(caller.exitCode, describeSipp(caller)).toBe(0);
      expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);

      const aInvite = first(caller.trace, { direction: 'sent', method: 'INVITE' });
      expect(aInvite?.transport).toBe('UDP');
      expect(Buffer.byteLength(aInvite?.text ?? '')).toBeGreaterThan(1300);
      const bInvite = first(calleeResult.trace, { direction: 'received', method: 'INVITE' });
      expect(bInvite?.transport, describeSipp(calleeResult)).toBe(bTransport.toUpperCase());
      expect(Buffer.byteLength(bInvite?.text ?? '')).toBeGreaterThan(1300);
      // The whole offer arrived: all 30 padding attributes, and the body as sent.
      expect(bInvite?.body.match(/^a=x-pad-\d\d:/gm)).toHaveLength(30);
      expect(bInvite?.body).toBe(aInvite?.body);
      expect(Number(bInvite?.header('Content-Length'))).toBe(Buffer.byteLength(aInvite?.body ?? ''));

      await within(app.legs, 2000, 'createB2BUA to resolve');
      await within(app.aHungUp, 2000, 'A leg destroy');
      await h.waitForIdle(idleDeadlineMs(FAST_TIMERS));
    });
  });

  // RFC 3261 §9.2 / §16.10: a CANCEL from the caller ends the B leg's INVITE
  // too; the caller gets 200 for its CANCEL and 487 for its INVITE.
  serverTest('CANCEL from the caller is relayed to the B leg and the caller gets 487', async ({ harness: h, sipp, expect }) => {
    const callee = await sipp.start({ scenario: scenario('uas-ring-cancelled'), transport: 'udp' });
    const app = bridgeTo(h.srf, callee);
    const caller = await sipp.run({ scenario: scenario('uac-cancel-after-ringing'), remote: h.sipTarget('udp'), transport: 'udp' });
    const calleeResult = await callee.done;
    expect(caller.exitCode, describeSipp(caller)).toBe(0);
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);

    // The B leg got the CANCEL for the INVITE it was ringing on, and its 487 was ACKed.
    const bInvite = first(calleeResult.trace, { direction: 'received', method: 'INVITE' });
    const bCancel = first(calleeResult.trace, { direction: 'received', method: 'CANCEL' });
    expect(bCancel, describeSipp(calleeResult)).toBeDefined();
    expect(bCancel?.header('Call-ID')).toBe(bInvite?.header('Call-ID'));
    expect(bCancel?.header('CSeq')?.split(' ')[0]).toBe(bInvite?.header('CSeq')?.split(' ')[0]);
    expect(findMessages(calleeResult.trace, { direction: 'received', method: 'ACK' }).length).toBeGreaterThanOrEqual(1);

    // The caller: 180 relayed from B, 200 for the CANCEL, 487 for the INVITE, never a 200 INVITE.
    expect(first(caller.trace, { direction: 'received', status: 180 }), describeSipp(caller)).toBeDefined();
    expect(findMessages(caller.trace, { direction: 'received', status: 200, cseqMethod: 'CANCEL' })).toHaveLength(1);
    const terminated = first(caller.trace, { direction: 'received', status: 487, cseqMethod: 'INVITE' });
    expect(terminated, describeSipp(caller)).toBeDefined();
    expect(tagOf(terminated?.header('To'))).toBeTruthy();
    expect(findMessages(caller.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' })).toHaveLength(0);

    // The app's createB2BUA rejects with the B leg's 487.
    const err = await within(app.legs.then(() => undefined, (e: unknown) => e), 2000, 'createB2BUA to settle');
    expect(err).toMatchObject({ status: 487 });
    await h.waitForIdle(idleDeadlineMs(FAST_TIMERS, { timerD: true }));
  });

  // RFC 3261 §14.1 / §13.2.1, RFC 3264 §4: a re-INVITE without an offer gets
  // the offer in the 2xx and the answer in the ACK.
  describe.each<SippTransport>(['udp', 'tcp'])('re-INVITE without SDP from the caller over %s', (transport) => {
    serverTest("reaches the app as 'modify', the app's offer goes in the 200, and the ACK with the answer reaches the app as 'ack'", async ({ harness: h, sipp, expect }) => {
      const callee = await sipp.start({ scenario: scenario('uas-answer'), transport });
      const app = bridgeTo(h.srf, callee);
      const modify = deferred<string>();
      const ack = deferred<Srf.SrfRequest>();
      void app.legs.then(({ uas }) => {
        uas.on('modify', (req, res) => {
          modify.resolve(req.body);
          res.send(200, { body: APP_SDP_2, headers: { 'Content-Type': 'application/sdp' } });
        });
        // The ACK for the first INVITE may reach the dialog too; wait for the re-INVITE's (CSeq 2).
        uas.on('ack', (req: Srf.SrfRequest) => {
          if (req.get('CSeq').startsWith('2 ')) ack.resolve(req);
        });
      }, () => undefined);

      // The caller holds the call (-d) before its BYE: drachtio-srf emits 'ack' on the next turn but
      // drops the dialog's listeners at once on BYE, so an ACK followed at once by BYE may never be seen.
      const caller = await sipp.run({ scenario: scenario('uac-reinvite-no-sdp'), remote: h.sipTarget(transport), transport, extraArgs: ['-d', '200'] });
      const calleeResult = await callee.done;
      expect(caller.exitCode, describeSipp(caller)).toBe(0);
      expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);

      const reinvite = findMessages(caller.trace, { direction: 'sent', method: 'INVITE' }).find((m) => m.header('CSeq')?.startsWith('2 '));
      expect(reinvite?.body).toBe('');
      const offer = findMessages(caller.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' }).find((m) => m.header('CSeq')?.startsWith('2 '));
      expect(offer?.body, describeSipp(caller)).toContain('s=dialtone-app-2');
      expect(offer?.header('Content-Type')).toBe('application/sdp');

      expect(await within(modify.promise, 2000, "the A leg's modify event")).toBe('');
      const ackReq = await within(ack.promise, 2000, "the A leg's ack event");
      expect(ackReq.method).toBe('ACK');
      expect(ackReq.body).toContain('s=sipp-late-answer');
      const { uas } = await within(app.legs, 2000, 'createB2BUA to resolve');
      expect(uas.remote.sdp).toContain('s=sipp-late-answer');
      // The B leg saw only its own call: no re-INVITE was relayed by this app.
      expect(findMessages(calleeResult.trace, { direction: 'received', method: 'INVITE' })).toHaveLength(1);

      await within(app.aHungUp, 2000, 'A leg destroy');
      await h.waitForIdle(idleDeadlineMs(FAST_TIMERS));
    });
  });
});
