import { describe, expect, it } from 'vitest';
import { ClientInviteTransaction } from '../../../engine/sipstack/transaction/client-invite.js';
import { makeBench, request, responseTo, target, wireHeader, type Bench } from './harness.js';

function startInvite(b: Bench, events: string[] = []) {
  const inv = request({ extra: ['Route: <sip:edge.example.net;lr>'], seq: 31 });
  const tx = b.layer.sendRequest(inv, target(), {
    onFinal: (r) => events.push(`final ${r.status}`),
    onTimeout: () => events.push('timeout'),
  });
  if (!(tx instanceof ClientInviteTransaction)) throw new Error('not an INVITE transaction');
  return { inv, tx };
}

describe('CANCEL of a client INVITE (RFC 3261 §9.1)', () => {
  it('is held until a provisional response arrives, then sent with the INVITE fields', () => {
    const b = makeBench();
    const { inv, tx } = startInvite(b);
    expect(b.layer.cancel(tx, { headers: [['Reason', 'SIP;cause=487']] })).toBe('held');
    b.clock.advance(700);
    expect(b.sender.startLines().filter((l) => l.startsWith('CANCEL'))).toEqual([]);
    b.layer.receiveResponse(responseTo(inv, 180, 'Ringing', 'callee'));
    const sent = b.sender.sent.filter((s) => s.wire.startsWith('CANCEL '));
    expect(sent).toHaveLength(1);
    const wire = sent[0].wire;
    expect(wire.split('\r\n')[0]).toBe('CANCEL sip:bob@example.com SIP/2.0');
    expect(wireHeader(wire, 'Via')).toEqual(['SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-abc']);
    expect(wireHeader(wire, 'To')).toEqual(['<sip:bob@example.com>']); // the INVITE's To, not the response's
    expect(wireHeader(wire, 'From')).toEqual(['<sip:alice@example.org>;tag=from1']);
    expect(wireHeader(wire, 'CSeq')).toEqual(['31 CANCEL']);
    expect(wireHeader(wire, 'Route')).toEqual(['<sip:edge.example.net;lr>']);
    expect(wireHeader(wire, 'Reason')).toEqual(['SIP;cause=487']);
    expect(wireHeader(wire, 'Contact')).toEqual([]);
    expect(sent[0].target).toEqual(target());
    // The CANCEL is a non-INVITE client transaction: Timer E retransmits it.
    b.clock.advance(600);
    expect(b.sender.timesOf('CANCEL ')).toEqual([700, 1200]);
    expect(b.layer.cancel(tx)).toBe('already-cancelled');
  });

  it('is sent at once in Proceeding, and not at all after a final response', () => {
    const b = makeBench();
    const { inv, tx } = startInvite(b);
    b.layer.receiveResponse(responseTo(inv, 100, 'Trying'));
    expect(b.layer.cancel(tx)).toBe('sent');
    expect(b.sender.startLines().at(-1)).toBe('CANCEL sip:bob@example.com SIP/2.0');

    const b2 = makeBench();
    const second = startInvite(b2);
    b2.layer.receiveResponse(responseTo(second.inv, 200, 'OK', 'x'));
    expect(b2.layer.cancel(second.tx)).toBe('too-late');
    expect(b2.sender.startLines().some((l) => l.startsWith('CANCEL'))).toBe(false);

    // §9.1: only INVITE is cancelled.
    const options = b2.layer.sendRequest(request({ method: 'OPTIONS', branch: 'z9hG4bK-opt' }), target());
    expect(b2.layer.cancel(options)).toBe('not-invite');
    expect(b2.sender.startLines().some((l) => l.startsWith('CANCEL'))).toBe(false);
  });

  it('a held CANCEL is dropped when the INVITE fails before any provisional response', () => {
    const b = makeBench();
    const events: string[] = [];
    const { inv, tx } = startInvite(b, events);
    expect(b.layer.cancel(tx)).toBe('held');
    b.layer.receiveResponse(responseTo(inv, 503, 'Service Unavailable', 'x'));
    expect(tx.cancelHeld).toBe(false);
    b.clock.advance(40_000);
    expect(b.sender.startLines().filter((l) => l.startsWith('CANCEL'))).toEqual([]);
    expect(events).toEqual(['final 503']);
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });

  it('the INVITE is given up 64*T1 after the CANCEL when no final response comes', () => {
    const b = makeBench();
    const events: string[] = [];
    const { inv, tx } = startInvite(b, events);
    b.layer.receiveResponse(responseTo(inv, 180, 'Ringing', 'x'));
    b.clock.advance(1000);
    b.layer.cancel(tx);
    const cancel = b.sender.sent.at(-1)?.message;
    if (!cancel || cancel.kind !== 'request') throw new Error('no CANCEL');
    b.layer.receiveResponse(responseTo(cancel, 200, 'OK', 'x'));
    b.clock.advance(31_999);
    expect(tx.state).toBe('proceeding');
    b.clock.advance(1);
    expect(tx.state).toBe('terminated');
    expect(events).toEqual(['timeout']);
    b.clock.advance(10_000);
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });
});
