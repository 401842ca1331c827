/**
 * Each call's debugging log on both stores: entries come back in the
 * order written, only the call's own, at most MAX_ENTRIES_PER_CALL (the
 * newest), and they survive a reopen.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_ENTRIES_PER_CALL, newEntrySid, type CallLogEntry } from '../../engine/call-log/call-log-record.js';
import { embeddedKind, redisKind, type StoreKind } from './store-kinds.js';

const ACCOUNT = 'AC' + 'c'.repeat(32);
const CALL = 'CA' + '1'.repeat(32);
const OTHER_CALL = 'CA' + '2'.repeat(32);

function webhook(callSid: string, n: number): CallLogEntry {
  return {
    kind: 'webhook',
    sid: newEntrySid('webhook'),
    accountSid: ACCOUNT,
    callSid,
    at: new Date(1_800_000_000_000 + n),
    request: { url: `https://app.example.com/step/${n}`, method: 'POST', parameters: { CallSid: callSid, Digits: String(n) } },
    response: { status: 200, contentType: 'text/xml', body: `<Response><Say>${n}</Say></Response>`, durationMs: 12.5 },
  };
}

const kinds: StoreKind[] = [embeddedKind(), redisKind()];
afterAll(async () => {
  for (const kind of kinds) await kind.cleanup();
});

describe.each(kinds)('call logs, $name store', (kind) => {
  it("keeps a call's entries in order, apart from other calls', and across a reopen", async () => {
    const s = await kind.open();
    const warning: CallLogEntry = { kind: 'notification', sid: newEntrySid('notification'), accountSid: ACCOUNT, callSid: CALL, at: new Date(1_800_000_000_500), level: 'warning', code: 12200, message: '<Sms> is not run', request: { url: 'https://app.example.com/voice', method: 'POST' } };
    const first = webhook(CALL, 1);
    s.callLog.add(first);
    s.callLog.add(warning);
    s.callLog.add(webhook(OTHER_CALL, 2));
    s.callLog.add(webhook(CALL, 3));
    const entries = await s.callLog.entries(CALL);
    expect(entries.map((e) => e.sid)).toHaveLength(3);
    expect(entries[0]).toEqual(first);
    expect(entries.map((e) => (e.kind === 'webhook' ? e.request.url : e.code))).toEqual(['https://app.example.com/step/1', 12200, 'https://app.example.com/step/3']);
    expect(entries[1]).toEqual(warning);
    expect(entries[0]?.at).toBeInstanceOf(Date);
    expect(await s.callLog.entries('CA' + '9'.repeat(32))).toEqual([]);
    const again = await kind.reopen(s);
    expect((await again.callLog.entries(CALL)).map((e) => e.sid)).toEqual(entries.map((e) => e.sid));
    await again.close();
  });

  it(`keeps the newest ${MAX_ENTRIES_PER_CALL} entries of a call`, async () => {
    const s = await kind.open();
    for (let i = 0; i < MAX_ENTRIES_PER_CALL + 5; i++) s.callLog.add(webhook(CALL, i));
    const entries = await s.callLog.entries(CALL);
    expect(entries).toHaveLength(MAX_ENTRIES_PER_CALL);
    expect(entries[0]?.kind === 'webhook' && entries[0].request.url).toBe('https://app.example.com/step/5');
    await s.close();
  });
});
