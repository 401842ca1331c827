import { describe, expect, it } from 'vitest';
import type { SipResponse } from '../../../engine/sipstack/message/sip-message.js';
import type { ClientTransactionHandlers } from '../../../engine/sipstack/transaction/client-handlers.js';
import { makeBench, request, responseTo, settle, target, wireHeader } from './harness.js';

function recorder() {
  const events: string[] = [];
  const finals: SipResponse[] = [];
  const handlers: ClientTransactionHandlers = {
    onProvisional: (r) => events.push(`provisional ${r.status}`),
    onFinal: (r) => {
      events.push(`final ${r.status}`);
      finals.push(r);
    },
    onTimeout: () => events.push('timeout'),
    onTransportError: (e) => events.push(`transport-error ${e.message}`),
  };
  return { events, finals, handlers };
}

describe('INVITE client transaction (RFC 3261 §17.1.1, RFC 6026)', () => {
  it('Timer A retransmits at 500/1000/2000/... ms and Timer B times out at 64*T1 without an ACK', () => {
    const b = makeBench();
    const { events, handlers } = recorder();
    const tx = b.layer.sendRequest(request(), target(), handlers);
    expect(tx.state).toBe('calling');
    b.clock.advance(40_000);
    // Sends at 0, then T1, 2T1, 4T1, ... doubling with no cap; B fires at 32 s.
    expect(b.sender.timesOf('INVITE ')).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(events).toEqual(['timeout']);
    expect(b.sender.timesOf('ACK ')).toEqual([]);
    expect(tx.state).toBe('terminated');
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });

  it('a provisional response stops retransmission (Proceeding) and reaches the TU', () => {
    const b = makeBench();
    const { events, handlers } = recorder();
    const inv = request();
    const tx = b.layer.sendRequest(inv, target(), handlers);
    b.clock.advance(600);
    expect(b.layer.receiveResponse(responseTo(inv, 180, 'Ringing', 't1')).kind).toBe('matched');
    expect(tx.state).toBe('proceeding');
    b.clock.advance(60_000);
    expect(b.sender.timesOf('INVITE ')).toEqual([0, 500]);
    expect(events).toEqual(['provisional 180']);
    // No timeout in Proceeding: the transaction waits for the final response.
    expect(tx.state).toBe('proceeding');
    b.layer.receiveResponse(responseTo(inv, 183, 'Session Progress', 't1'));
    expect(events).toEqual(['provisional 180', 'provisional 183']);
  });

  it('acknowledges a 3xx-6xx per §17.1.1.3 and re-sends that ACK for each retransmitted final', () => {
    const b = makeBench();
    const { events, handlers } = recorder();
    const inv = request({
      uri: 'sip:bob@example.com;transport=udp',
      extra: ['Route: <sip:proxy1.example.net;lr>', 'Route: <sip:proxy2.example.net;lr>', 'Content-Type: application/sdp'],
      seq: 7,
    });
    inv.headers.prepend('Via', 'SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-top');
    const tx = b.layer.sendRequest(inv, target(), handlers);
    b.layer.receiveResponse(responseTo(inv, 100, 'Trying'));
    const busy = responseTo(inv, 486, 'Busy Here', 'callee-tag');
    b.clock.advance(100);
    b.layer.receiveResponse(busy);
    expect(tx.state).toBe('completed');
    expect(events).toEqual(['provisional 100', 'final 486']);

    const acks = b.sender.sent.filter((s) => s.wire.startsWith('ACK '));
    expect(acks).toHaveLength(1);
    const ack = acks[0];
    expect(ack.wire.split('\r\n')[0]).toBe('ACK sip:bob@example.com;transport=udp SIP/2.0');
    expect(wireHeader(ack.wire, 'Via')).toEqual(['SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-top']);
    expect(wireHeader(ack.wire, 'To')).toEqual(['<sip:bob@example.com>;tag=callee-tag']);
    expect(wireHeader(ack.wire, 'From')).toEqual(['<sip:alice@example.org>;tag=from1']);
    expect(wireHeader(ack.wire, 'Call-ID')).toEqual(['call-1@example.org']);
    expect(wireHeader(ack.wire, 'CSeq')).toEqual(['7 ACK']);
    expect(wireHeader(ack.wire, 'Route')).toEqual(['<sip:proxy1.example.net;lr>', '<sip:proxy2.example.net;lr>']);
    expect(wireHeader(ack.wire, 'Max-Forwards')).toEqual(['70']);
    expect(wireHeader(ack.wire, 'Content-Type')).toEqual([]);
    expect(wireHeader(ack.wire, 'Content-Length')).toEqual(['0']);
    expect(ack.target).toEqual(target());

    // The retransmitted 486 is answered with the same ACK and not passed up again.
    b.clock.advance(400);
    b.layer.receiveResponse(busy);
    b.clock.advance(1000);
    b.layer.receiveResponse(busy);
    expect(b.sender.timesOf('ACK ')).toEqual([100, 500, 1500]);
    const ackWires = b.sender.sent.filter((s) => s.wire.startsWith('ACK ')).map((s) => s.wire);
    expect(new Set(ackWires).size).toBe(1);
    expect(events).toEqual(['provisional 100', 'final 486']);

    // Timer D: 32 s after the 486 (at 100 ms) on UDP, then the transaction is gone.
    b.clock.advance(32_100 - 1500 - 1);
    expect(tx.state).toBe('completed');
    b.clock.advance(1);
    expect(tx.state).toBe('terminated');
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });

  it('passes every 2xx to the TU in Accepted and ends after Timer M (64*T1)', () => {
    const b = makeBench();
    const { events, handlers } = recorder();
    const inv = request();
    const tx = b.layer.sendRequest(inv, target(), handlers);
    b.layer.receiveResponse(responseTo(inv, 200, 'OK', 'a'));
    expect(tx.state).toBe('accepted');
    b.clock.advance(500);
    b.layer.receiveResponse(responseTo(inv, 200, 'OK', 'a'));
    b.layer.receiveResponse(responseTo(inv, 200, 'OK', 'forked-b'));
    // A late non-2xx means nothing any more.
    b.layer.receiveResponse(responseTo(inv, 486, 'Busy', 'c'));
    expect(events).toEqual(['final 200', 'final 200', 'final 200']);
    // No ACK from the transaction for a 2xx (the dialog layer sends it), no retransmissions.
    expect(b.sender.startLines()).toEqual(['INVITE sip:bob@example.com SIP/2.0']);
    b.clock.advance(32_000 - 500 - 1);
    expect(tx.state).toBe('accepted');
    b.clock.advance(1);
    expect(tx.state).toBe('terminated');
    // After Timer M, a 2xx retransmission is stray: the core gives it to the dialog layer.
    expect(b.layer.receiveResponse(responseTo(inv, 200, 'OK', 'a'))).toEqual({ kind: 'stray', reason: 'no matching transaction' });
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });

  it('reliable transport: no Timer A, Timer D of zero', () => {
    const b = makeBench();
    const { events, handlers } = recorder();
    const inv = request({ transport: 'TCP' });
    const tx = b.layer.sendRequest(inv, target('tcp'), handlers);
    b.clock.advance(20_000);
    expect(b.sender.timesOf('INVITE ')).toEqual([0]);
    b.layer.receiveResponse(responseTo(inv, 503, 'Service Unavailable', 'x'));
    expect(events).toEqual(['final 503']);
    expect(b.sender.timesOf('ACK ')).toEqual([20_000]);
    expect(tx.state).toBe('terminated');
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });

  it('reliable transport: Timer B still times out', () => {
    const b = makeBench();
    const { events, handlers } = recorder();
    b.layer.sendRequest(request({ transport: 'TCP' }), target('tcp'), handlers);
    b.clock.advance(31_999);
    expect(events).toEqual([]);
    b.clock.advance(1);
    expect(events).toEqual(['timeout']);
    expect(b.sender.sent).toHaveLength(1);
  });

  it('a transport error is reported to the TU and ends the transaction', async () => {
    const b = makeBench();
    const { events, handlers } = recorder();
    b.sender.failWith = new Error('EHOSTUNREACH');
    const tx = b.layer.sendRequest(request(), target(), handlers);
    await settle();
    expect(events).toEqual(['transport-error EHOSTUNREACH']);
    expect(tx.state).toBe('terminated');
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });

  it('T1 from the configuration drives Timers A and B', () => {
    const b = makeBench({ t1: 100 });
    const { events, handlers } = recorder();
    b.layer.sendRequest(request(), target(), handlers);
    b.clock.advance(7000);
    expect(b.sender.timesOf('INVITE ')).toEqual([0, 100, 300, 700, 1500, 3100, 6300]);
    expect(events).toEqual(['timeout']);
    expect(b.layer.counts().timers).toBe(0);
  });

  it('a handler that throws does not break the transaction', () => {
    const b = makeBench();
    const inv = request();
    const tx = b.layer.sendRequest(inv, target(), {
      onFinal: () => {
        throw new Error('application bug');
      },
    });
    b.layer.receiveResponse(responseTo(inv, 404, 'Not Found', 'x'));
    expect(tx.state).toBe('completed');
    expect(b.sender.timesOf('ACK ')).toEqual([0]);
    expect(b.logger.messages('error')).toEqual(['transaction user handler onFinal threw']);
  });

  it('refuses requests that cannot start a client transaction', () => {
    const b = makeBench();
    expect(() => b.layer.sendRequest(request({ method: 'ACK' }), target())).toThrow(/ACK/);
    expect(() => b.layer.sendRequest(request({ branch: 'old-style' }), target())).toThrow(/z9hG4bK/);
    b.layer.sendRequest(request(), target());
    expect(() => b.layer.sendRequest(request(), target())).toThrow(/already exists/);
    expect(b.layer.newBranch()).toMatch(/^z9hG4bK[0-9a-f]{32}$/);
    expect(b.layer.newBranch()).not.toBe(b.layer.newBranch());
  });
});
