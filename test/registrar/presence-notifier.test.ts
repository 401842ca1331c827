/**
 * The presence callback's delivery (engine/registrar/presence-notifier.ts)
 * against a real HTTP receiver: changes go one at a time, in order, signed;
 * when the queue is full a change is dropped and its SequenceNumber is
 * skipped, so the receiver can tell it missed one.
 */
import { pino } from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PresenceNotifier, type PresenceChange } from '../../engine/registrar/presence-notifier.js';
import type { Binding } from '../../engine/registrar/registrar.js';
import { WebhookTransport } from '../../engine/webhooks/http-transport.js';
import { validateTwilioSignature } from '../../engine/webhooks/signature.js';
import { callbackServer } from '../support/callback-server.js';

const ACCOUNT = 'AC' + 'c'.repeat(32);
const TOKEN = 'presence-test-token';

function change(username: string, event: PresenceChange['event']): PresenceChange {
  const binding: Binding = {
    username,
    contactUri: `sip:${username}@192.0.2.7:5060`,
    source: { protocol: 'udp', address: '192.0.2.7', port: 5060 },
    expiresAt: Date.now() + 60_000,
    callId: 'c1',
    cseq: 1,
  };
  const bindings = event === 'unregistered' || event === 'expired' ? [] : [binding];
  return { accountSid: ACCOUNT, username, event, bindings, changed: [binding], at: Date.now() };
}

describe('presence callback delivery', () => {
  it('sends in order, one at a time; a change dropped from a full queue leaves a gap in SequenceNumber', async () => {
    const held: (() => void)[] = [];
    const srv = await callbackServer((_seen, res) => held.push(() => res.writeHead(204).end()));
    const transport = new WebhookTransport();
    onTestFinished(() => transport.close());
    const notifier = new PresenceNotifier({
      url: srv.url, method: 'POST', transport, authTokenOf: () => TOKEN, maxQueue: 2, log: pino({ level: 'silent' }),
    });
    onTestFinished(() => notifier.close());

    notifier.notify(change('alice', 'registered')); // 0: sent at once, held by the receiver
    await srv.waitFor(1);
    notifier.notify(change('bob', 'registered')); // 1: queued
    notifier.notify(change('carol', 'registered')); // 2: queued
    notifier.notify(change('dave', 'registered')); // 3: dropped, the queue is full
    expect(notifier.queued).toBe(2);
    while (srv.seen.length < 3) {
      held.shift()?.();
      await srv.waitFor(srv.seen.length + 1);
    }
    held.shift()?.();
    await notifier.whenIdle();
    notifier.notify(change('alice', 'unregistered')); // 4
    await srv.waitFor(4);
    held.shift()?.();
    await notifier.whenIdle();

    expect(srv.seen.map((s) => [s.params.SequenceNumber, s.params.Username, s.params.Event])).toEqual([
      ['0', 'alice', 'registered'],
      ['1', 'bob', 'registered'],
      ['2', 'carol', 'registered'],
      ['4', 'alice', 'unregistered'],
    ]);
    expect(srv.seen[3]?.params).toMatchObject({ Status: 'offline', ContactCount: '0', ChangedContacts: '["sip:alice@192.0.2.7:5060"]' });
    for (const s of srv.seen) expect(validateTwilioSignature(TOKEN, s.signature, srv.url, s.params)).toBe(true);
  });
});
