/**
 * srf.proxyRequest through the embedded SIP server (drachtio's `proxy`):
 * a SIPp caller is proxied to a SIPp callee. The first destination never
 * answers, so the serial proxy gives up on it after the provisional timeout
 * and tries the next; with remainInDialog the server Record-Routes and the
 * ACK and BYE of the dialog come through it as well.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Srf from 'drachtio-srf';
import { describeSipp, runSipp, startSipp, stopAllSipp } from '../../support/sipp.js';
import { findMessages } from '../../support/sipp-trace.js';
import { drachtio, startIntegrationHarness, type IntegrationHarness } from './harness.js';
import { deferred, within } from '../../support/deferred.js';
import { freeUdpPort } from '../../support/ports.js';
import { FAST_TIMERS, idleDeadlineMs, scenario } from './fixtures.js';

let h: IntegrationHarness | undefined;

beforeEach(async () => {
  h = await startIntegrationHarness({ timers: FAST_TIMERS });
});

afterEach(async () => {
  await stopAllSipp();
  await h?.stop();
  h = undefined;
});

/** srf.proxyRequest returns a promise when given no callback; its type declaration says void. */
function proxyRequest(srf: Srf, req: Srf.SrfRequest, dest: string[], opts: Record<string, unknown>): Promise<ProxyResult> {
  const call = srf.proxyRequest.bind(srf) as unknown as (r: Srf.SrfRequest, d: string[], o: Record<string, unknown>) => Promise<ProxyResult>;
  return call(req, dest, opts);
}

interface ProxyResult {
  connected: boolean;
  finalStatus: number;
  responses: Array<{ msgs: Array<{ status: number }> }>;
}

describe('srf.proxyRequest', () => {
  it('forwards serially past a silent destination, record-routes, and carries ACK and BYE', async () => {
    if (!h) throw new Error('no harness');
    const { srf } = h;
    const silentPort = await freeUdpPort();
    const callee = await startSipp({ scenario: scenario('uas-answer-record-route') });
    const result = deferred<ProxyResult>();

    srf.invite((req) => {
      proxyRequest(srf, req, [`sip:nobody@127.0.0.1:${silentPort}`, `sip:service@${callee.target}`], {
        remainInDialog: true,
        provisionalTimeout: '300ms',
      }).then(
          (r) => result.resolve(r),
          (err: unknown) => result.reject(err instanceof Error ? err : new Error(String(err))),
        );
    });

    const caller = await runSipp({ scenario: scenario('uac-call-local-bye'), remote: h.sipTarget('udp') });
    const calleeResult = await callee.done;
    expect(caller.exitCode, describeSipp(caller)).toBe(0);
    expect(calleeResult.exitCode, describeSipp(calleeResult)).toBe(0);

    // The callee sees the caller's request with the proxy's Via on top and its Record-Route.
    const invite = findMessages(calleeResult.trace, { direction: 'received', method: 'INVITE' })[0];
    expect(invite?.headers('Via')).toHaveLength(2);
    expect(invite?.header('Record-Route')).toMatch(/^<sip:127\.0\.0\.1:\d+;lr>$/);
    expect(invite?.body).toContain('s=sipp-uac');
    // The caller sees the callee's answer, without the proxy's Via.
    const answer = findMessages(caller.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' })[0];
    expect(answer?.headers('Via')).toHaveLength(1);
    expect(answer?.header('Record-Route')).toBe(invite?.header('Record-Route'));
    expect(answer?.body).toContain('s=sipp-uas');
    // ACK and BYE followed the route set through the proxy to the callee.
    expect(findMessages(calleeResult.trace, { direction: 'received', method: 'ACK' })).toHaveLength(1);
    const bye = findMessages(calleeResult.trace, { direction: 'received', method: 'BYE' })[0];
    expect(bye?.headers('Via')).toHaveLength(2);
    expect(findMessages(caller.trace, { direction: 'received', status: 200, cseqMethod: 'BYE' })).toHaveLength(1);

    const r = await within(result.promise, 2000, 'proxyRequest to resolve');
    expect(r.connected).toBe(true);
    expect(r.finalStatus).toBe(200);

    await h.waitForIdle(idleDeadlineMs(FAST_TIMERS));
  });

  // drachtio-server ignores proxyRequest's finalTimeout (only provisionalTimeout is read) and
  // keeps a silent UDP destination for Timer B (32 s) despite ICMP port unreachable: this test,
  // which relies on finalTimeout, is skipped against it.
  it.skipIf(drachtio)('relays the best failure upstream when every destination fails', async () => {
    if (!h) throw new Error('no harness');
    const { srf } = h;
    const [a, b] = [await freeUdpPort(), await freeUdpPort()];
    const result = deferred<ProxyResult>();
    srf.invite((req) => {
      proxyRequest(srf, req, [`sip:x@127.0.0.1:${a}`, `sip:y@127.0.0.1:${b}`], { finalTimeout: '300ms' }).then(
        (r) => result.resolve(r),
        (err: unknown) => result.reject(err instanceof Error ? err : new Error(String(err))),
      );
    });
    const caller = await runSipp({
      scenario: scenario('uac-invite-408'),
      remote: h.sipTarget('udp'),
    });
    expect(caller.exitCode, describeSipp(caller)).toBe(0);
    const r = await within(result.promise, 3000, 'proxyRequest to resolve');
    expect(r.connected).toBe(false);
    expect(r.finalStatus).toBe(408);
  });
});
