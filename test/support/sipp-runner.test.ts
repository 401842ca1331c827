/**
 * The SIPp runner itself, SIPp against SIPp (no dialtone code involved): a
 * good call is reported as such, a failed one as a failure, a killed SIPp
 * frees its port, and the message log parser reads what SIPp writes.
 */
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { describeSipp, runSipp, startSipp, stopAllSipp } from './sipp.js';
import { findMessages, parseSippMessages } from './sipp-trace.js';
import { freeUdpPort } from './ports.js';
import { scenario } from '../sipstack/integration/fixtures.js';

afterEach(async () => {
  await stopAllSipp();
});

function canBindUdp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

describe('SIPp runner', () => {
  it.each(['udp', 'tcp'] as const)('reports a completed call over %s with its trace and statistics', async (transport) => {
    const uas = await startSipp({ scenario: scenario('uas-answer'), transport });
    const uac = await runSipp({ scenario: scenario('uac-call-local-bye'), remote: uas.target, transport });
    const server = await uas.done;
    expect(uac.exitCode, describeSipp(uac)).toBe(0);
    expect(server.exitCode, describeSipp(server)).toBe(0);
    expect(uac.stats).toMatchObject({ successfulCalls: 1, failedCalls: 0 });
    expect(uac.trace.map((m) => `${m.direction} ${m.method ?? m.status}`)).toEqual([
      'sent INVITE', 'received 180', 'received 200', 'sent ACK', 'sent BYE', 'received 200',
    ]);
    const ok = findMessages(uac.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' })[0];
    expect(ok?.body).toContain('s=sipp-uas');
    expect(ok?.header('t')).toBe(ok?.header('To'));
    expect(ok?.transport).toBe(transport.toUpperCase());
  });

  it('reports a failed call when nobody answers', async () => {
    const nobody = await freeUdpPort();
    const result = await runSipp({
      scenario: scenario('uac-call-local-bye'),
      remote: `127.0.0.1:${nobody}`,
      timeoutSeconds: 2,
    });
    expect(result.exitCode).not.toBe(0);
    expect(findMessages(result.trace, { direction: 'received' })).toHaveLength(0);
  });

  it('timestamps SIPp retransmissions: a 200 OK resent every 500 ms until ACKed', async () => {
    const uas = await startSipp({ scenario: scenario('uas-answer') });
    const uac = await runSipp({ scenario: scenario('uac-ignore-first-200'), remote: uas.target, extraArgs: ['-nr'] });
    expect(uac.exitCode, describeSipp(uac)).toBe(0);
    const oks = findMessages(uac.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' });
    expect(oks.length).toBeGreaterThanOrEqual(2);
    const gap = oks[1]!.time - oks[0]!.time;
    expect(gap).toBeGreaterThan(400);
    expect(gap).toBeLessThan(1000);
    expect((await uas.done).stats?.retransmissions).toBeGreaterThanOrEqual(1);
  });

  it('stopAllSipp kills a waiting UAS and frees its port', async () => {
    const uas = await startSipp({ scenario: scenario('uas-answer'), timeoutSeconds: 60 });
    expect(await canBindUdp(uas.port)).toBe(false);
    const started = Date.now();
    await stopAllSipp();
    const result = await uas.done;
    // Its own -timeout was 60 s: it ended because it was told to.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.trace).toHaveLength(0);
    expect(await canBindUdp(uas.port)).toBe(true);
  });
});

describe('SIPp message log parser', () => {
  it('splits entries, reads timestamps, compact headers and several messages in one TCP read', () => {
    const log = [
      '----------------------------------------------- 2026-11-21 05:23:21.531120',
      'UDP message sent (100 bytes):',
      '',
      'OPTIONS sip:a@127.0.0.1 SIP/2.0',
      'v: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1',
      'CSeq: 7 OPTIONS',
      'l: 0',
      '',
      '',
      '----------------------------------------------- 2026-11-21 05:23:22.031120',
      'TCP message received [200] bytes :',
      '',
      'SIP/2.0 200 OK',
      'CSeq: 7 OPTIONS',
      'Subject: folded',
      '  line',
      'Content-Length: 4',
      '',
      'abcdSIP/2.0 180 Ringing',
      'CSeq: 8 INVITE',
      'Content-Length: 0',
      '',
      '',
    ].join('\n');
    const messages = parseSippMessages(log);
    expect(messages.map((m) => m.firstLine)).toEqual(['OPTIONS sip:a@127.0.0.1 SIP/2.0', 'SIP/2.0 200 OK', 'SIP/2.0 180 Ringing']);
    expect(messages[0]).toMatchObject({ direction: 'sent', transport: 'UDP', method: 'OPTIONS', cseqMethod: 'OPTIONS' });
    expect(messages[0]!.header('Via')).toBe('SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1');
    expect(messages[1]).toMatchObject({ direction: 'received', transport: 'TCP', status: 200, body: 'abcd' });
    expect(messages[1]!.header('subject')).toBe('folded line');
    expect(messages[2]).toMatchObject({ status: 180, cseqMethod: 'INVITE' });
    expect(messages[1]!.time - messages[0]!.time).toBeCloseTo(500, 3);
  });
});
