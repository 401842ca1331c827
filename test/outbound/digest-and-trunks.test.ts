/**
 * Digest authentication (drachtio-srf answers 401/407 with the target's
 * credentials; the SIP server sends the new INVITE) and calls to phone
 * numbers through a configured trunk, against SIPp as the called party.
 */
import { createHash } from 'node:crypto';
import { describe } from 'vitest';
import { TrunkSchema } from '../../config/trunks.js';
import { resolveDialTarget } from '../../engine/outbound/dial-target.js';
import { placeCall, type CallOutcome } from '../../engine/outbound/place-call.js';
import { describeSipp } from '../support/sipp.js';
import { findMessages, type SippMessage } from '../support/sipp-trace.js';
import { destroyDialog } from '../support/srf-app.js';
import { callTest, IDLE_DEADLINE_MS, OFFER_SDP, scenario, uriOf } from './fixtures.js';

/** The header that carries our credentials for each challenge (RFC 3261 §22.2, §22.3). */
const CHALLENGES = {
  401: { credentials: 'Authorization' },
  407: { credentials: 'Proxy-Authorization' },
} as const;

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** Parameters of a Digest credentials header (RFC 2617 §3.2.2). */
function digestParams(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.replace(/^\s*Digest\s+/i, '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) {
    out[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  }
  return out;
}

/** RFC 2617 §3.2.2.1 response without qop, as the challenges here ask. */
function expectedResponse(p: Record<string, string>, password: string, method: string): string {
  return md5(`${md5(`${p.username}:${p.realm}:${password}`)}:${p.nonce}:${md5(`${method}:${p.uri}`)}`);
}

function invites(trace: SippMessage[]): SippMessage[] {
  return findMessages(trace, { direction: 'received', method: 'INVITE' });
}

describe.concurrent('outbound digest authentication', () => {
  callTest.for([401, 407] as const)('a %i challenge is answered with the credentials and the call is answered', async (status, { harness, sipp, logs, expect }) => {
    const c = CHALLENGES[status];
    const uas = await sipp.start({
      scenario: scenario(`uas-digest-${status}`),
      keys: { user: 'alice', pass: 's3cret' },
    });
    const target = resolveDialTarget(uriOf(uas, 'bob'), [], { username: 'alice', password: 's3cret' });
    const outcome: CallOutcome = await placeCall({
      srf: harness.srf,
      target,
      from: { user: 'alice' },
      localSdp: OFFER_SDP,
      timeoutSeconds: 10,
      log: logs.log,
    });
    expect(outcome.kind, JSON.stringify({ outcome, logs: logs.lines() })).toBe('answered');
    if (outcome.kind !== 'answered') return;
    expect(outcome.remoteSdp).toContain('s=sipp-uas');
    await destroyDialog(outcome.dialog);
    const result = await uas.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const [first, second] = invites(result.trace);
    expect(first?.header(c.credentials)).toBeUndefined();
    // The retry is the same call (RFC 3261 §22.2): Call-ID and From tag kept, CSeq one higher, a new branch.
    expect(second?.header('Call-ID')).toBe(first?.header('Call-ID'));
    expect(second?.header('From')).toBe(first?.header('From'));
    expect(Number.parseInt(second?.header('CSeq') ?? '', 10)).toBe(Number.parseInt(first?.header('CSeq') ?? '', 10) + 1);
    expect(second?.header('Via')).not.toBe(first?.header('Via'));
    expect(outcome.callId).toBe(first?.header('Call-ID'));
    const credentials = digestParams(second?.header(c.credentials) ?? '');
    expect(credentials).toMatchObject({ username: 'alice', realm: 'dialtone.test' });
    expect(credentials.response).toBe(expectedResponse(credentials, 's3cret', 'INVITE'));
    // The ACK of the challenge was sent by the SIP server's INVITE client transaction (§17.1.1.3).
    expect(findMessages(result.trace, { direction: 'received', method: 'ACK' })).toHaveLength(2);
    await harness.waitForIdle(IDLE_DEADLINE_MS);
    expect(harness.server.stats()).toMatchObject({ transactions: 0, dialogs: 0 });
  });

  callTest('a wrong password: the far end refuses with 403 and the call failed', async ({ harness, sipp, logs, expect }) => {
    const uas = await sipp.start({
      scenario: scenario('uas-digest-401'),
      keys: { user: 'alice', pass: 's3cret' },
    });
    const outcome = await placeCall({
      srf: harness.srf,
      target: resolveDialTarget(uriOf(uas, 'bob'), [], { username: 'alice', password: 'guess' }),
      from: { user: 'alice' },
      localSdp: OFFER_SDP,
      timeoutSeconds: 10,
      log: logs.log,
    });
    expect(outcome).toMatchObject({ kind: 'failed', sipStatus: 403, reason: '403 Forbidden' });
    const result = await uas.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    expect(invites(result.trace)).toHaveLength(2);
    await harness.waitForIdle(IDLE_DEADLINE_MS);
  });

  callTest('a timeout after the challenge cancels the INVITE that carried the credentials', async ({ harness, sipp, logs, expect }) => {
    const uas = await sipp.start({ scenario: scenario('uas-digest-401-ring-cancelled'), keys: { user: 'alice', pass: 's3cret' } });
    const outcome = await placeCall({
      srf: harness.srf,
      target: resolveDialTarget(uriOf(uas, 'bob'), [], { username: 'alice', password: 's3cret' }),
      from: { user: 'alice' },
      localSdp: OFFER_SDP,
      timeoutSeconds: 0.5,
      log: logs.log,
    });
    expect(outcome).toMatchObject({ kind: 'no-answer', sipStatus: 487 });
    const result = await uas.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const [, withCredentials] = invites(result.trace);
    const cancel = findMessages(result.trace, { direction: 'received', method: 'CANCEL' })[0];
    // §9.1: the CANCEL names the pending request: its top Via (branch) and CSeq number.
    expect(cancel?.header('Via')).toBe(withCredentials?.header('Via'));
    expect(Number.parseInt(cancel?.header('CSeq') ?? '', 10)).toBe(Number.parseInt(withCredentials?.header('CSeq') ?? '', 10));
    await harness.waitForIdle(IDLE_DEADLINE_MS);
    expect(harness.server.stats()).toMatchObject({ transactions: 0, dialogs: 0 });
  });

  callTest('no credentials: the challenge is the outcome', async ({ harness, sipp, logs, expect }) => {
    const uas = await sipp.start({
      scenario: scenario('uas-digest-407'),
      keys: { user: 'alice', pass: 's3cret' },
    });
    const outcome = await placeCall({
      srf: harness.srf,
      target: resolveDialTarget(uriOf(uas, 'bob'), []),
      from: { user: 'alice' },
      localSdp: OFFER_SDP,
      timeoutSeconds: 10,
      log: logs.log,
    });
    expect(outcome).toMatchObject({ kind: 'failed', sipStatus: 407 });
    const result = await uas.kill();
    expect(invites(result.trace)).toHaveLength(1);
  });
});

describe.concurrent('calls to phone numbers through a trunk', () => {
  callTest('a TCP trunk: the INVITE arrives over TCP with the rewritten number, the trunk\'s From domain and credentials', async ({ harness, sipp, logs, expect }) => {
    const uas = await sipp.start({
      scenario: scenario('uas-digest-401'),
      transport: 'tcp',
      keys: { user: 'trunk-user', pass: 'trunk-pass' },
    });
    const trunks = [
      TrunkSchema.parse({ id: 'elsewhere', host: '192.0.2.1', prefixes: ['+44'] }),
      TrunkSchema.parse({
        id: 'sipp',
        host: '127.0.0.1',
        port: uas.port,
        transport: 'tcp',
        prefixes: ['+1'],
        strip: 2,
        prepend: '001',
        username: 'trunk-user',
        password: 'trunk-pass',
        fromDomain: 'pbx.example.com',
      }),
    ];
    const target = resolveDialTarget('+1 (555) 010-0199', trunks);
    expect(target.trunkId).toBe('sipp');
    const outcome = await placeCall({
      srf: harness.srf,
      target,
      from: { user: '+15550001', displayName: 'Dialtone' },
      localSdp: OFFER_SDP,
      timeoutSeconds: 10,
      log: logs.log,
    });
    expect(outcome.kind, JSON.stringify(outcome)).toBe('answered');
    if (outcome.kind !== 'answered') return;
    await destroyDialog(outcome.dialog);
    const result = await uas.done;
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const all = invites(result.trace);
    expect(all).toHaveLength(2);
    for (const invite of all) {
      expect(invite.transport).toBe('TCP');
      expect(invite.firstLine).toBe(`INVITE sip:0015550100199@127.0.0.1:${uas.port};transport=tcp SIP/2.0`);
      expect(invite.header('Via')).toMatch(/^SIP\/2\.0\/TCP /i);
      expect(invite.header('From')).toMatch(/^"Dialtone" <sip:\+15550001@pbx\.example\.com>;tag=/);
    }
    expect(digestParams(all[1]?.header('Authorization') ?? '').username).toBe('trunk-user');
    await harness.waitForIdle(IDLE_DEADLINE_MS);
  });
});
