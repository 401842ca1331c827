/**
 * Requests the application originates through the embedded SIP server:
 * a call with srf.createUAC to a SIPp UAS, and OPTIONS with srf.request.
 */
import { describe } from 'vitest';
import type Srf from 'drachtio-srf';
import { describeSipp, type SippTransport } from '../../support/sipp.js';
import { findMessages } from '../../support/sipp-trace.js';
import { destroyDialog, requestOutsideDialog } from '../../support/srf-app.js';
import { APP_SDP, FAST_TIMERS, idleDeadlineMs, scenario, tagOf, uriOf, serverTest } from './fixtures.js';

describe.concurrent.each<SippTransport>(['udp', 'tcp'])('outbound call with srf.createUAC to a SIPp UAS over %s', (transport) => {
  serverTest('establishes the dialog with the far end SDP, then tears it down with BYE', async ({ harness: h, sipp, expect }) => {
    const { srf } = h;
    const uas = await sipp.start({ scenario: scenario('uas-answer'), transport });
    const provisional: number[] = [];

    const dialog = await srf.createUAC(uriOf(uas), { localSdp: APP_SDP, headers: { 'X-Test': 'outbound' } }, {
      cbProvisional: (res: Srf.SrfResponse) => provisional.push(res.status),
    });
    expect(dialog.type).toBe('uac');
    expect(dialog.remote.sdp).toContain('s=sipp-uas');
    expect(provisional).toContain(180);
    // drachtio-server reports no dialog count to applications.
    if (h.server) expect(h.server.stats().dialogs).toBe(1);

    const bye = await destroyDialog(dialog);
    expect(bye.method).toBe('BYE');

    const result = await uas.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const invite = findMessages(result.trace, { direction: 'received', method: 'INVITE' })[0];
    expect(invite, describeSipp(result)).toBeDefined();
    expect(invite!.firstLine).toBe(`INVITE ${uriOf(uas)} SIP/2.0`);
    expect(invite!.header('X-Test')).toBe('outbound');
    expect(invite!.body).toContain('s=dialtone-app');
    expect(invite!.header('Contact')).toBeTruthy();
    expect(tagOf(invite!.header('From'))).toBeTruthy();
    // RFC 3261 §8.1.1.7: the branch starts with the magic cookie.
    expect(invite!.header('Via')).toMatch(new RegExp(`^SIP/2\\.0/${transport} [^;]+;.*branch=z9hG4bK`, 'i'));

    const acks = findMessages(result.trace, { direction: 'received', method: 'ACK' });
    expect(acks.length).toBeGreaterThanOrEqual(1);
    expect(acks[0]!.header('CSeq')).toMatch(/^\d+ ACK$/);
    const byes = findMessages(result.trace, { direction: 'received', method: 'BYE' });
    expect(byes.length).toBeGreaterThanOrEqual(1);
    expect(byes[0]!.firstLine).toMatch(new RegExp(`^BYE sip:sipp@127\\.0\\.0\\.1:\\d+;transport=${transport} SIP/2\\.0$`, 'i'));
    expect(tagOf(byes[0]!.header('To'))).toBe(dialog.sip.remoteTag);

    await h.waitForIdle(idleDeadlineMs(FAST_TIMERS));
  });
});

describe.concurrent.each<SippTransport>(['udp', 'tcp'])('OPTIONS with srf.request to a SIPp UAS over %s', (transport) => {
  serverTest('gets the 200 OK the far end sent, with its headers', async ({ harness: h, sipp, expect }) => {
    const { srf } = h;
    const uas = await sipp.start({ scenario: scenario('uas-options'), transport });

    const { sent, response } = await requestOutsideDialog(srf, uriOf(uas), {
      method: 'OPTIONS',
      headers: { 'X-Probe': 'keepalive' },
    });
    expect(sent.method).toBe('OPTIONS');
    expect(response.status).toBe(200);
    expect(response.get('X-Answered-By')).toBe('sipp-options');
    expect(response.get('Allow')).toContain('INVITE');

    const result = await uas.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const options = findMessages(result.trace, { direction: 'received', method: 'OPTIONS' })[0];
    expect(options, describeSipp(result)).toBeDefined();
    expect(options!.firstLine).toBe(`OPTIONS ${uriOf(uas)} SIP/2.0`);
    expect(options!.header('X-Probe')).toBe('keepalive');
    expect(options!.header('CSeq')).toMatch(/^\d+ OPTIONS$/);
    expect(options!.header('Max-Forwards')).toBeTruthy();

    await h.waitForIdle(idleDeadlineMs(FAST_TIMERS));
  });
});
