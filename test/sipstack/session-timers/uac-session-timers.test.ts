/**
 * RFC 4028 session timers where the embedded server is the UAC: a
 * drachtio-srf application calls a SIPp UAS with createUAC, the 2xx names
 * the caller as refresher, and the server sends the refreshing re-INVITE.
 */
import { describe } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import type Srf from 'drachtio-srf';
import { describeSipp } from '../../support/sipp.js';
import { findMessages } from '../../support/sipp-trace.js';
import { deferred, within } from '../../support/deferred.js';
import { APP_SDP, scenario, timerTest, uriOf } from './fixtures.js';

describe('session timers, server as UAC', () => {
  timerTest("2xx with refresher=uac: the server refreshes with re-INVITE at half the interval; the app's INVITE says it supports timers", async ({ st, sipp, expect }) => {
    const uas = await sipp.start({ scenario: scenario('uas-session-timer-refresher-uac'), keys: { se: '2' } });
    const dialog = await st.srf.createUAC(uriOf(uas), { localSdp: APP_SDP, headers: { 'Session-Expires': '2' } });
    const ended = deferred<string>();
    (dialog as unknown as { on(e: 'destroy', l: (bye: Srf.SrfRequest, reason: string) => void): void }).on('destroy', (_bye, reason) =>
      ended.resolve(reason),
    );

    const result = await uas.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const invites = findMessages(result.trace, { direction: 'received', method: 'INVITE' });
    expect(invites, describeSipp(result)).toHaveLength(2);
    const [initial, refresh] = invites;
    // RFC 4028 §7.1: the application's Session-Expires, with Supported: timer and our Min-SE added.
    expect(initial!.header('Session-Expires')).toBe('2');
    expect(initial!.headers('Supported').join(',')).toMatch(/\btimer\b/);
    expect(initial!.header('Min-SE')).toBe('1');
    // §7.4: the refresh carries the same session description and keeps us the refresher.
    expect(refresh!.header('Session-Expires')).toBe('2;refresher=uac');
    expect(refresh!.body).toContain('s=dialtone-app');
    expect(refresh!.header('Call-ID')).toBe(initial!.header('Call-ID'));
    expect(Number(refresh!.header('CSeq')?.split(' ')[0])).toBeGreaterThan(Number(initial!.header('CSeq')?.split(' ')[0]));
    const ok = findMessages(result.trace, { direction: 'sent', status: 200, cseqMethod: 'INVITE' })[0];
    const gap = refresh!.time - ok!.time;
    expect(gap).toBeGreaterThan(900);
    expect(gap).toBeLessThan(1500);
    // The refresh's 2xx was ACKed (two ACKs in all) and the session was never ended by us.
    expect(findMessages(result.trace, { direction: 'received', method: 'ACK' })).toHaveLength(2);
    expect(findMessages(result.trace, { direction: 'received', method: 'BYE' })).toHaveLength(0);

    expect(await within(ended.promise, 2000, "the dialog's destroy event")).toBe('normal release');
    await st.waitForIdle();
  });

  timerTest('a refresh answered 422 with a larger Min-SE is sent again at once with that interval (RFC 4028 §7.4); the session goes on', async ({ st, sipp, expect }) => {
    const uas = await sipp.start({ scenario: scenario('uas-session-timer-refresh-too-small'), keys: { se: '2', minse: '4' } });
    const dialog = await st.srf.createUAC(uriOf(uas), { localSdp: APP_SDP });
    // Session timers are about time passing: the first refresh goes at half of 2 s, the second at
    // once after the 422; the application hangs up well after both, well before the next (2 s on).
    await sleep(2500);
    dialog.destroy();
    const result = await uas.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const [first, second] = findMessages(result.trace, { direction: 'received', method: 'INVITE' }).slice(1);
    expect(first?.header('Session-Expires')).toBe('2;refresher=uac');
    expect(second?.header('Session-Expires')).toBe('4;refresher=uac');
    expect(second!.time - first!.time).toBeLessThan(1000);
    const bye = findMessages(result.trace, { direction: 'received', method: 'BYE' })[0];
    expect(bye?.header('Reason')).toBeUndefined();
    await st.waitForIdle();
  });

  timerTest('a refresh answered 481: the server ends the session with BYE and the Reason, the dialog emits destroy', async ({ st, sipp, expect }) => {
    const uas = await sipp.start({ scenario: scenario('uas-session-timer-refresh-rejected'), keys: { se: '2' } });
    const dialog = await st.srf.createUAC(uriOf(uas), { localSdp: APP_SDP });
    const ended = deferred<string>();
    (dialog as unknown as { on(e: 'destroy', l: (bye: Srf.SrfRequest, reason: string) => void): void }).on('destroy', (_bye, reason) =>
      ended.resolve(reason),
    );

    const result = await uas.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const [refresh] = findMessages(result.trace, { direction: 'received', method: 'INVITE' }).slice(1);
    const bye = findMessages(result.trace, { direction: 'received', method: 'BYE' })[0];
    expect(bye?.header('Reason'), describeSipp(result)).toBe('SIP;cause=200;text="Session timer expired"');
    expect(bye!.time).toBeGreaterThanOrEqual(refresh!.time);
    expect(await within(ended.promise, 2000, "the dialog's destroy event")).toBe('Session timer expired');
    await st.waitForIdle();
  });
});
