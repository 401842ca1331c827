/**
 * RFC 4028 session timers where the embedded server is the UAS: a SIPp
 * caller asks for a session timer, a drachtio-srf application answers with
 * createUAS, and the server negotiates, refreshes or ends the session as
 * drachtio-server does.
 */
import { describe, test } from 'vitest';
import type Srf from 'drachtio-srf';
import { describeSipp, SippSession, type SippTransport } from '../../support/sipp.js';
import { findMessages, type SippMessage } from '../../support/sipp-trace.js';
import { deferred, within } from '../../support/deferred.js';
import { APP_SDP, scenario, startTimerServer, timerTest } from './fixtures.js';
import { header, UdpPeer } from '../../support/sip-wire-peer.js';

interface Ended {
  bye: Srf.SrfRequest;
  reason: string;
}

/** The application: answers every INVITE with APP_SDP and reports how its dialog ended. */
function answerCalls(srf: Srf): Promise<Ended> {
  const ended = deferred<Ended>();
  srf.invite((req, res) => {
    srf.createUAS(req, res, { localSdp: APP_SDP }).then(
      (dialog) => {
        // drachtio-srf emits destroy(bye, reason); its typings declare only the first.
        (dialog as unknown as { on(e: 'destroy', l: (bye: Srf.SrfRequest, reason: string) => void): void }).on('destroy', (bye, reason) =>
          ended.resolve({ bye, reason }),
        );
      },
      (err: unknown) => ended.reject(err instanceof Error ? err : new Error(String(err))),
    );
  });
  return ended.promise;
}

function cseqOf(m: SippMessage | undefined): number {
  return Number(m?.header('CSeq')?.split(' ')[0]);
}

function requireTags(m: SippMessage | undefined): string[] {
  return (m?.headers('Require') ?? []).flatMap((v) => v.split(',')).map((t) => t.trim().toLowerCase());
}

describe('session timers, server as UAS', () => {
  timerTest('refresher=uac that never refreshes: BYE with Reason before the session expires, the dialog emits destroy', async ({ st, sipp, expect }) => {
    const ended = answerCalls(st.srf);
    const result = await sipp.run({ scenario: scenario('uac-session-timer-expire'), remote: st.target, keys: { se: '2' } });
    expect(result.exitCode, describeSipp(result)).toBe(0);

    const ok = findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' })[0];
    expect(ok?.header('Session-Expires'), describeSipp(result)).toBe('2;refresher=uac');
    expect(requireTags(ok)).toContain('timer');

    const byes = findMessages(result.trace, { direction: 'received', method: 'BYE' });
    expect(byes, describeSipp(result)).toHaveLength(1);
    expect(byes[0]!.header('Reason')).toBe('SIP;cause=200;text="Session timer expired"');
    // RFC 4028 §10: BYE at expiry minus min(32 s, interval/3): 2 - 0.667 = 1.333 s after the 2xx, before 2 s.
    const elapsed = byes[0]!.time - ok!.time;
    expect(elapsed).toBeGreaterThan(1200);
    expect(elapsed).toBeLessThan(1950);

    const { bye, reason } = await within(ended, 2000, "the dialog's destroy event");
    expect(bye.method).toBe('BYE');
    expect(reason).toBe('Session timer expired');
    await st.waitForIdle();
  });

  timerTest('refresher=uac refreshing with re-INVITE in time: no BYE, each 200 carries Session-Expires', async ({ st, sipp, expect }) => {
    const ended = answerCalls(st.srf);
    // Refreshes every 0.9 s; without them the session would be ended at 1.33 s.
    const result = await sipp.run({ scenario: scenario('uac-session-timer-refresh'), remote: st.target, keys: { se: '2' } });
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' }), describeSipp(result)).toHaveLength(0);

    const oks = findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' });
    const refreshAnswers = oks.filter((m) => cseqOf(m) > 1);
    expect(new Set(refreshAnswers.map(cseqOf)), describeSipp(result)).toEqual(new Set([2, 3]));
    for (const m of refreshAnswers) {
      expect(m.header('Session-Expires')).toBe('2;refresher=uac');
      expect(requireTags(m)).toContain('timer');
      expect(m.body).toContain('s=dialtone-app');
    }
    // The call lasted longer than the session interval.
    const sentBye = findMessages(result.trace, { direction: 'sent', method: 'BYE' })[0];
    expect(sentBye!.time - oks[0]!.time).toBeGreaterThan(2000);

    const { reason } = await within(ended, 2000, "the dialog's destroy event");
    expect(reason).toBe('normal release');
    await st.waitForIdle();
  });

  timerTest.for<SippTransport>(['udp', 'tcp'])('refresher=uas over %s: the server sends the refreshing re-INVITE at half the interval, twice', async (transport, { st, sipp, expect }) => {
    const ended = answerCalls(st.srf);
    const result = await sipp.run({ scenario: scenario('uac-session-timer-uas-refreshes'), remote: st.targetFor(transport), transport, keys: { se: '2' } });
    expect(result.exitCode, describeSipp(result)).toBe(0);

    const ok = findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' })[0];
    expect(ok?.header('Session-Expires'), describeSipp(result)).toBe('2;refresher=uas');
    expect(requireTags(ok)).toContain('timer');

    const refreshes = findMessages(result.trace, { direction: 'received', method: 'INVITE' });
    expect(refreshes, describeSipp(result)).toHaveLength(2);
    const answers = findMessages(result.trace, { direction: 'sent', status: 200, cseqMethod: 'INVITE' });
    let previous = ok!.time;
    for (const [i, invite] of refreshes.entries()) {
      // RFC 4028 §7.4 / drachtio-server: Session-Expires with refresher=uac (we stay the refresher), Min-SE, the last SDP.
      expect(invite.header('Session-Expires')).toBe('2;refresher=uac');
      expect(invite.header('Min-SE')).toBe('1');
      expect(invite.headers('Supported').join(',')).toMatch(/\btimer\b/);
      expect(invite.body).toContain('s=dialtone-app');
      expect(invite.header('To')).toMatch(/;tag=/);
      // Half of the 2 s interval after the previous 2xx.
      const gap = invite.time - previous;
      expect(gap, `refresh ${i + 1}`).toBeGreaterThan(900);
      expect(gap, `refresh ${i + 1}`).toBeLessThan(1500);
      previous = answers[i]!.time;
    }
    expect(cseqOf(refreshes[1])).toBeGreaterThan(cseqOf(refreshes[0]));
    // Each 200 to a refresh was ACKed by the server.
    expect(findMessages(result.trace, { direction: 'received', method: 'ACK' })).toHaveLength(2);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(0);

    const { reason } = await within(ended, 2000, "the dialog's destroy event");
    expect(reason).toBe('normal release');
    await st.waitForIdle();
  });
});

test('Session-Expires below our Min-SE: 422 with Min-SE, the application never sees the INVITE', async ({ expect }) => {
  const st = await startTimerServer({ minSE: 90 });
  const sipp = new SippSession();
  try {
    let invited = 0;
    st.srf.invite((_req, res) => {
      invited++;
      res.send(486);
    });
    const result = await sipp.run({ scenario: scenario('uac-session-timer-too-small'), remote: st.target, keys: { se: '30' } });
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const rejected = findMessages(result.trace, { direction: 'received', status: 422 })[0];
    expect(rejected?.firstLine).toBe('SIP/2.0 422 Session Interval Too Small');
    expect(rejected?.header('Min-SE')).toBe('90');
    expect(rejected?.header('To')).toMatch(/;tag=/);
    expect(invited).toBe(0);
    await st.waitForIdle();
  } finally {
    await sipp.stopAll();
    await st.stop();
  }
});

test('a re-INVITE shortening the session below our Min-SE: 422 with Min-SE, the application never sees it', async ({ expect }) => {
  const st = await startTimerServer({ minSE: 2 });
  const sipp = new SippSession();
  try {
    let modified = 0;
    const ended = deferred<void>();
    st.srf.invite((req, res) => {
      st.srf.createUAS(req, res, { localSdp: APP_SDP }).then(
        (dialog) => {
          dialog.on('modify', (_req, modRes) => {
            modified++;
            modRes.send(200, { body: APP_SDP });
          });
          dialog.on('destroy', () => ended.resolve());
        },
        (err: unknown) => ended.reject(err instanceof Error ? err : new Error(String(err))),
      );
    });
    const result = await sipp.run({ scenario: scenario('uac-session-timer-reinvite-too-small'), remote: st.target, keys: { se: '4', short: '1' } });
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const rejected = findMessages(result.trace, { direction: 'received', status: 422 })[0];
    expect(rejected?.header('Min-SE'), describeSipp(result)).toBe('2');
    expect(cseqOf(rejected)).toBe(2);
    await within(ended.promise, 2000, "the dialog's destroy event");
    expect(modified).toBe(0);
    await st.waitForIdle();
  } finally {
    await sipp.stopAll();
    await st.stop();
  }
});

test('a caller whose Contact no longer resolves: the expiry BYE cannot be sent, yet the application hears the session ended', async ({ expect }) => {
  const st = await startTimerServer();
  const [host, port] = st.target.split(':');
  const peer = await UdpPeer.open({ address: host!, port: Number(port) });
  try {
    const ended = answerCalls(st.srf);
    const callId = `gone-${peer.local.port}@test`;
    const via = `SIP/2.0/UDP ${peer.local.address}:${peer.local.port};rport;branch=z9hG4bK-gone-1`;
    const body = APP_SDP;
    peer.send([
      `INVITE sip:app@${st.target} SIP/2.0`,
      `Via: ${via}`,
      'Max-Forwards: 70',
      'From: <sip:caller@example.com>;tag=g1',
      `To: <sip:app@${st.target}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      // A host that does not resolve (RFC 6761 .invalid): the BYE has nowhere to go.
      'Contact: <sip:caller@gone.invalid>',
      'Supported: timer',
      'Session-Expires: 2;refresher=uac',
      'Min-SE: 1',
      'Content-Type: application/sdp',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'));
    const ok = await peer.waitFor((m) => m.status === 200, 5000);
    const to = header(ok, 'To');
    peer.send([
      `ACK sip:caller@gone.invalid SIP/2.0`,
      `Via: SIP/2.0/UDP ${peer.local.address}:${peer.local.port};rport;branch=z9hG4bK-gone-2`,
      'Max-Forwards: 70',
      'From: <sip:caller@example.com>;tag=g1',
      `To: ${to}`,
      `Call-ID: ${callId}`,
      'CSeq: 1 ACK',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'));
    const { reason } = await within(ended, 5000, 'the application to hear the session ended');
    expect(reason).toBe('Session timer expired');
    await st.waitForIdle();
  } finally {
    await peer.close();
    await st.stop();
  }
});
