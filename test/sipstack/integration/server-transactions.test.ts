/**
 * What the server's transaction layer answers without the application:
 * a retransmitted INVITE gets the latest provisional again and reaches the
 * app once (RFC 3261 §17.2.1); a BYE or CANCEL that matches nothing gets 481
 * (§12.2.2, §9.2).
 */
import { describe } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import { describeSipp, type SippTransport } from '../../support/sipp.js';
import { findMessages } from '../../support/sipp-trace.js';
import { APP_SDP, FAST_TIMERS, idleDeadlineMs, scenario, serverTest, tagOf } from './fixtures.js';

/** How long the app lets the phone ring before answering: the caller's retransmission comes meanwhile. */
const RING_MS = 300;

describe.concurrent.each<SippTransport>(['udp', 'tcp'])('server transactions over %s', (transport) => {
  serverTest('a retransmitted INVITE is answered with the last provisional and reaches the app once', async ({ harness: h, sipp, expect }) => {
    const { srf } = h;
    let invites = 0;
    srf.invite((req, res) => {
      invites += 1;
      res.send(180);
      void delay(RING_MS).then(() => srf.createUAS(req, res, { localSdp: APP_SDP })).catch(() => undefined);
    });

    // -nr: see the scenario's comment.
    const result = await sipp.run({ scenario: scenario('uac-invite-retransmitted'), remote: h.sipTarget(transport), transport, extraArgs: ['-nr'] });
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const sent = findMessages(result.trace, { direction: 'sent', method: 'INVITE' });
    expect(sent).toHaveLength(2);
    const ringing = findMessages(result.trace, { direction: 'received', status: 180 });
    expect(ringing).toHaveLength(2);
    expect(ringing[1]!.text).toBe(ringing[0]!.text);
    const answer = findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' })[0];
    expect(tagOf(answer?.header('To'))).toBe(tagOf(ringing[0]!.header('To')));
    expect(invites).toBe(1);

    await h.waitForIdle(idleDeadlineMs(FAST_TIMERS));
  });

  serverTest('a BYE for no dialog and a CANCEL for no INVITE get 481', async ({ harness: h, sipp, expect }) => {
    const { srf } = h;
    // An app that takes BYE and CANCEL and would answer them 200: the server must not hand it these.
    let requests = 0;
    srf.use('bye', (_req, res) => {
      requests += 1;
      res.send(200);
    });
    srf.use('cancel', (_req, res) => {
      requests += 1;
      res.send(200);
    });

    const result = await sipp.run({ scenario: scenario('uac-stray-requests'), remote: h.sipTarget(transport), transport });
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const rejected = findMessages(result.trace, { direction: 'received', status: 481 });
    expect(rejected.map((m) => m.cseqMethod)).toEqual(['BYE', 'CANCEL']);
    expect(requests).toBe(0);

    await h.waitForIdle(idleDeadlineMs(FAST_TIMERS));
  });
});
