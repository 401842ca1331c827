import { describe, expect, it } from 'vitest';
import { createResponse } from '../../../engine/sipstack/message/response.js';
import type { SipRequest } from '../../../engine/sipstack/message/sip-message.js';
import { ServerInviteTransaction } from '../../../engine/sipstack/transaction/server-invite.js';
import { makeBench, request, settle, source, wireHeader, type Bench } from './harness.js';

function newInvite(b: Bench, req: SipRequest = request(), src = source()): ServerInviteTransaction {
  const r = b.layer.receiveRequest(req, src);
  if (r.kind !== 'new' || !(r.tx instanceof ServerInviteTransaction)) throw new Error(`expected a new INVITE tx, got ${r.kind}`);
  return r.tx;
}

function ack(inv: SipRequest, toTag: string): SipRequest {
  return request({ method: 'ACK', toTag, cseqMethod: 'ACK', via: inv.headers.values('via')[0] });
}

describe('INVITE server transaction (RFC 3261 §17.2.1, RFC 6026)', () => {
  it('sends 100 Trying at once, built from the request', () => {
    const b = makeBench();
    const inv = request({ extra: ['Timestamp: 54'] });
    newInvite(b, inv);
    expect(b.sender.startLines()).toEqual(['SIP/2.0 100 Trying']);
    const wire = b.sender.sent[0].wire;
    expect(wireHeader(wire, 'Via')).toEqual(['SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-abc']);
    expect(wireHeader(wire, 'To')).toEqual(['<sip:bob@example.com>']);
    expect(wireHeader(wire, 'CSeq')).toEqual(['1 INVITE']);
    expect(wireHeader(wire, 'Timestamp')).toEqual(['54']);
    // The response leaves from the listener the request arrived on.
    expect(b.sender.sent[0].target).toEqual({ protocol: 'udp', remote: { address: '192.0.2.1', port: 5060 }, local: { address: '127.0.0.1', port: 5060 } });
  });

  it('answers a retransmitted INVITE with the most recent provisional response', () => {
    const b = makeBench();
    const inv = request();
    const tx = newInvite(b, inv);
    expect(b.layer.receiveRequest(request(), source()).kind).toBe('absorbed');
    expect(b.sender.startLines()).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 100 Trying']);
    expect(tx.respond(createResponse(inv, 180, undefined, { toTag: 'uas' }))).toBe(true);
    b.sender.clear();
    expect(b.layer.receiveRequest(request(), source()).kind).toBe('absorbed');
    expect(b.sender.startLines()).toEqual(['SIP/2.0 180 Ringing']);
    expect(wireHeader(b.sender.sent[0].wire, 'To')).toEqual(['<sip:bob@example.com>;tag=uas']);
  });

  it('retransmits a non-2xx final on Timer G (T1 doubling to T2) and gives up on Timer H, telling the TU', () => {
    const b = makeBench();
    const inv = request();
    const tx = newInvite(b, inv);
    const events: string[] = [];
    tx.setHandlers({ onNoAck: () => events.push('no-ack'), onTerminated: () => events.push('terminated') });
    b.clock.advance(1000);
    tx.respond(createResponse(inv, 486, undefined, { toTag: 'uas' }));
    expect(tx.state).toBe('completed');
    b.clock.advance(40_000);
    const times = b.sender.timesOf('SIP/2.0 486').map((t) => t - 1000);
    expect(times).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(events).toEqual(['terminated', 'no-ack']);
    expect(b.logger.messages('warn')).toContain('no ACK for the final response (Timer H)');
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });

  it('absorbs the ACK for a non-2xx: Confirmed stops Timer G, Timer I ends it after T4', () => {
    const b = makeBench();
    const inv = request();
    const tx = newInvite(b, inv);
    tx.respond(createResponse(inv, 404, undefined, { toTag: 'uas' }));
    b.clock.advance(600);
    // A retransmitted INVITE in Completed gets the final response again.
    b.layer.receiveRequest(request(), source());
    expect(b.sender.timesOf('SIP/2.0 404')).toEqual([0, 500, 600]);
    const r = b.layer.receiveRequest(ack(inv, 'uas'), source());
    expect(r.kind).toBe('absorbed');
    expect(tx.state).toBe('confirmed');
    // More ACKs are absorbed too; no response to any of them.
    expect(b.layer.receiveRequest(ack(inv, 'uas'), source()).kind).toBe('absorbed');
    b.clock.advance(4999);
    expect(tx.state).toBe('confirmed');
    b.clock.advance(1);
    expect(tx.state).toBe('terminated');
    expect(b.sender.timesOf('SIP/2.0 404')).toEqual([0, 500, 600]);
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });

  it('retransmits the 2xx (T1 doubling to T2) until ackReceived(), stays Accepted until Timer L', () => {
    const b = makeBench();
    const inv = request();
    const tx = newInvite(b, inv);
    const events: string[] = [];
    tx.setHandlers({ on2xxUnacknowledged: () => events.push('2xx-unacknowledged') });
    tx.respond(createResponse(inv, 200, undefined, { toTag: 'uas' }));
    expect(tx.state).toBe('accepted');
    b.clock.advance(8000);
    expect(b.sender.timesOf('SIP/2.0 200')).toEqual([0, 500, 1500, 3500, 7500]);
    expect(tx.awaitingAck).toBe(true);
    // The ACK for a 2xx is its own transaction: the layer hands it to the dialog layer.
    const ackReq = request({ method: 'ACK', toTag: 'uas', cseqMethod: 'ACK', branch: 'z9hG4bK-ack2xx' });
    expect(b.layer.receiveRequest(ackReq, source())).toEqual({ kind: 'ack-2xx' });
    tx.ackReceived();
    expect(tx.awaitingAck).toBe(false);
    b.clock.advance(10_000);
    expect(b.sender.timesOf('SIP/2.0 200')).toHaveLength(5);
    // RFC 6026: retransmitted INVITEs are absorbed in Accepted, nothing is sent.
    expect(b.layer.receiveRequest(request(), source()).kind).toBe('absorbed');
    expect(b.sender.timesOf('SIP/2.0 200')).toHaveLength(5);
    expect(tx.state).toBe('accepted');
    b.clock.advance(32_000 - 18_000);
    expect(tx.state).toBe('terminated');
    expect(events).toEqual([]);
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });

  it('gives up on the 2xx after 64*T1 without an ACK and tells the TU "2xx never acknowledged"', () => {
    const b = makeBench();
    const inv = request();
    const tx = newInvite(b, inv);
    const events: string[] = [];
    tx.setHandlers({ on2xxUnacknowledged: () => events.push('2xx-unacknowledged') });
    tx.respond(createResponse(inv, 200, undefined, { toTag: 'uas' }));
    b.clock.advance(31_999);
    expect(events).toEqual([]);
    b.clock.advance(1);
    expect(events).toEqual(['2xx-unacknowledged']);
    expect(b.logger.messages('warn')).toContain('2xx never acknowledged');
    expect(b.sender.timesOf('SIP/2.0 200')).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(tx.state).toBe('terminated');
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });

  it('an ACK that matches a transaction in Accepted goes to the dialog layer too', () => {
    const b = makeBench();
    const inv = request();
    const tx = newInvite(b, inv);
    tx.respond(createResponse(inv, 200, undefined, { toTag: 'uas' }));
    const r = b.layer.receiveRequest(ack(inv, 'uas'), source());
    expect(r).toEqual({ kind: 'ack-2xx', tx });
  });

  it('refuses responses the state does not allow, without throwing', () => {
    const b = makeBench();
    const inv = request();
    const tx = newInvite(b, inv);
    expect(tx.respond(createResponse(inv, 486, undefined, { toTag: 'u' }))).toBe(true);
    expect(tx.respond(createResponse(inv, 200, undefined, { toTag: 'u' }))).toBe(false);
    expect(tx.respond(createResponse(inv, 180, undefined, { toTag: 'u' }))).toBe(false);
    expect(b.sender.startLines()).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 486 Busy Here']);
    const bogus = createResponse(inv, 200);
    bogus.status = 999;
    expect(tx.respond(bogus)).toBe(false);
    expect(b.logger.messages('warn')).toEqual([
      'response not sent: the server transaction does not accept it in this state',
      'response not sent: the server transaction does not accept it in this state',
      'response not sent: not a SIP status code',
    ]);
    expect(tx.state).toBe('completed');
  });

  it('reliable transport: no Timer G, Timer I of zero, responses on the same connection', () => {
    const b = makeBench();
    const inv = request({ transport: 'TCP', sentBy: '192.0.2.1:40000' });
    const tx = newInvite(b, inv, source('tcp', '192.0.2.1', 40000));
    tx.respond(createResponse(inv, 480, undefined, { toTag: 'uas' }));
    b.clock.advance(10_000);
    expect(b.sender.timesOf('SIP/2.0 480')).toEqual([0]);
    expect(b.sender.sent[1].target).toEqual({ protocol: 'tcp', remote: { address: '192.0.2.1', port: 40000 }, connectionId: 'conn-1', local: { address: '127.0.0.1', port: 5060 } });
    b.layer.receiveRequest(ack(inv, 'uas'), source('tcp', '192.0.2.1', 40000));
    expect(tx.state).toBe('terminated');
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });

  it('reliable transport: the 2xx is still retransmitted until the ACK (§13.3.1.4: "even if the transport at the UAS is reliable")', () => {
    const b = makeBench();
    const inv = request({ transport: 'TCP' });
    const tx = newInvite(b, inv, source('tcp'));
    tx.respond(createResponse(inv, 200, undefined, { toTag: 'uas' }));
    b.clock.advance(2000);
    expect(b.sender.timesOf('SIP/2.0 200')).toEqual([0, 500, 1500]);
    tx.ackReceived();
    b.clock.advance(40_000);
    expect(b.sender.timesOf('SIP/2.0 200')).toEqual([0, 500, 1500]);
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });

  it('reliable transport: Timer H still fires when no ACK arrives', () => {
    const b = makeBench();
    const inv = request({ transport: 'TCP' });
    const tx = newInvite(b, inv, source('tcp'));
    let noAck = 0;
    tx.setHandlers({ onNoAck: () => noAck++ });
    tx.respond(createResponse(inv, 480, undefined, { toTag: 'uas' }));
    b.clock.advance(32_000);
    expect(noAck).toBe(1);
    expect(b.sender.timesOf('SIP/2.0 480')).toEqual([0]);
  });

  it('sends responses per §18.2.2 / RFC 3581: received, rport, sent-by port', () => {
    const b = makeBench();
    // sent-by is a name; the request came from 203.0.113.5:6000.
    newInvite(b, request({ via: 'SIP/2.0/UDP pc33.example.com:5070;branch=z9hG4bK-1' }), source('udp', '203.0.113.5', 6000));
    newInvite(b, request({ via: 'SIP/2.0/UDP pc33.example.com;branch=z9hG4bK-2;rport' }), source('udp', '203.0.113.5', 6000));
    newInvite(
      b,
      request({ via: 'SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK-3;received=198.51.100.7' }),
      source('udp', '198.51.100.7', 5062),
    );
    newInvite(b, request({ via: 'SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-4;rport=7000;received=198.51.100.8' }), source('udp', '198.51.100.8', 7000));
    expect(b.sender.sent.map((s) => `${s.target.remote.address}:${s.target.remote.port}`)).toEqual([
      '203.0.113.5:5070',
      '203.0.113.5:6000',
      '198.51.100.7:5062',
      '198.51.100.8:7000',
    ]);
  });

  it('a transport error while responding is reported to the TU and ends the transaction', async () => {
    const b = makeBench();
    const inv = request();
    const tx = newInvite(b, inv);
    const events: string[] = [];
    tx.setHandlers({ onTransportError: (e) => events.push(e.message) });
    b.sender.failWith = new Error('ENETUNREACH');
    tx.respond(createResponse(inv, 486, undefined, { toTag: 'uas' }));
    await settle();
    expect(events).toEqual(['ENETUNREACH']);
    expect(tx.state).toBe('terminated');
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });
});
