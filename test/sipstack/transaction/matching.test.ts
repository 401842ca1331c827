import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../engine/sipstack/message/parser.js';
import { createResponse } from '../../../engine/sipstack/message/response.js';
import { SipRequest } from '../../../engine/sipstack/message/sip-message.js';
import { rfc4475File } from '../../support/fixtures.js';
import { makeBench, parse, request, responseTo, source, target } from './harness.js';

function torture(name: string): SipRequest {
  const out = parseMessage(readFileSync(rfc4475File(name)), { datagram: true });
  if (!out.ok || !(out.message instanceof SipRequest)) throw new Error(`${name} does not parse as a request`);
  return out.message;
}

describe('server transaction matching (RFC 3261 §17.2.3)', () => {
  it('matches on branch + sent-by + method; a different sent-by or method is another transaction', () => {
    const b = makeBench();
    expect(b.layer.receiveRequest(request(), source()).kind).toBe('new');
    expect(b.layer.receiveRequest(request(), source()).kind).toBe('absorbed');
    expect(b.layer.receiveRequest(request({ sentBy: '192.0.2.2:5060' }), source()).kind).toBe('new');
    expect(b.layer.receiveRequest(request({ method: 'OPTIONS' }), source()).kind).toBe('new');
    expect(b.layer.counts().server).toBe(3);
  });

  it('CANCEL is matched to its INVITE by branch but is a transaction of its own', () => {
    const b = makeBench();
    const inv = request();
    const created = b.layer.receiveRequest(inv, source());
    if (created.kind !== 'new') throw new Error(created.kind);
    const cancel = request({ method: 'CANCEL' });
    const r = b.layer.receiveRequest(cancel, source());
    if (r.kind !== 'cancel') throw new Error(r.kind);
    expect(r.tx).toBe(created.tx);
    expect(r.cancelTx).not.toBe(created.tx);
    r.cancelTx.respond(createResponse(cancel, 200));
    r.tx.respond(createResponse(inv, 487, undefined, { toTag: 'uas' }));
    expect(b.sender.startLines()).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 200 OK', 'SIP/2.0 487 Request Terminated']);
    // A retransmitted CANCEL gets the 200 again from its own transaction.
    expect(b.layer.receiveRequest(request({ method: 'CANCEL' }), source()).kind).toBe('absorbed');
    expect(b.sender.startLines().at(-1)).toBe('SIP/2.0 200 OK');
  });

  it('a CANCEL matching no INVITE is reported with its own transaction (for the 481)', () => {
    const b = makeBench();
    const cancel = request({ method: 'CANCEL', branch: 'z9hG4bK-nothing' });
    const r = b.layer.receiveRequest(cancel, source());
    if (r.kind !== 'no-transaction-for-cancel') throw new Error(r.kind);
    r.cancelTx.respond(createResponse(cancel, 481));
    expect(b.sender.startLines()).toEqual(['SIP/2.0 481 Call/Transaction Does Not Exist']);
  });

  it('an ACK with no transaction is for a 2xx; an ACK never creates a transaction', () => {
    const b = makeBench();
    expect(b.layer.receiveRequest(request({ method: 'ACK', toTag: 'x' }), source())).toEqual({ kind: 'ack-2xx' });
    expect(b.layer.counts().server).toBe(0);
    expect(b.sender.sent).toHaveLength(0);
  });

  it('requests that cannot be matched are reported as invalid, not thrown', () => {
    const b = makeBench();
    const noCseq = request();
    noCseq.headers.delete('CSeq');
    const badVia = request();
    badVia.headers.set('Via', 'garbage');
    const noVia = request();
    noVia.headers.delete('Via');
    expect(b.layer.receiveRequest(noCseq, source())).toEqual({ kind: 'invalid', reason: 'missing or malformed CSeq' });
    expect(b.layer.receiveRequest(badVia, source()).kind).toBe('invalid');
    expect(b.layer.receiveRequest(noVia, source()).kind).toBe('invalid');
    expect(b.layer.counts().server).toBe(0);
  });
});

describe('RFC 2543 matching (no magic cookie)', () => {
  it('RFC 4475 inv2543: retransmission, CANCEL and ACK are matched by the request fields', () => {
    const b = makeBench();
    const inv = torture('inv2543');
    const src = source('udp', '192.0.2.5', 5060);
    const r = b.layer.receiveRequest(inv, src);
    if (r.kind !== 'new') throw new Error(r.kind);
    expect(b.layer.receiveRequest(torture('inv2543'), src).kind).toBe('absorbed');
    expect(b.sender.startLines()).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 100 Trying']);

    // A different CSeq is a different request.
    const other = torture('inv2543');
    other.headers.set('CSeq', '57 INVITE');
    expect(b.layer.receiveRequest(other, src).kind).toBe('new');

    // CANCEL with the same Request-URI, Call-ID, From tag, CSeq number and top Via.
    const cancel = torture('inv2543');
    cancel.method = 'CANCEL';
    cancel.headers.set('CSeq', '56 CANCEL');
    cancel.body = Buffer.alloc(0);
    const c = b.layer.receiveRequest(cancel, src);
    if (c.kind !== 'cancel') throw new Error(c.kind);
    expect(c.tx).toBe(r.tx);

    r.tx.respond(createResponse(inv, 487, undefined, { toTag: 'uas487' }));
    const ack = torture('inv2543');
    ack.method = 'ACK';
    ack.headers.set('CSeq', '56 ACK');
    ack.headers.set('To', 'sip:+16505552222@ss1.example.net;user=phone;tag=uas487');
    // An ACK with another To tag does not acknowledge our response.
    const wrongAck = torture('inv2543');
    wrongAck.method = 'ACK';
    wrongAck.headers.set('CSeq', '56 ACK');
    wrongAck.headers.set('To', 'sip:+16505552222@ss1.example.net;user=phone;tag=other');
    expect(b.layer.receiveRequest(wrongAck, src).kind).toBe('ack-2xx');
    expect(r.tx.state).toBe('completed');
    expect(b.layer.receiveRequest(ack, src).kind).toBe('absorbed');
    expect(r.tx.state).toBe('confirmed');
  });

  it('RFC 4475 badbranch (branch is the bare cookie) falls back to RFC 2543 matching', () => {
    const b = makeBench();
    const req = torture('badbranch');
    const r = b.layer.receiveRequest(req, source());
    if (r.kind !== 'new') throw new Error(r.kind);
    r.tx.respond(createResponse(req, 200));
    expect(b.layer.receiveRequest(torture('badbranch'), source()).kind).toBe('absorbed');
    // A request that shares only the bare cookie but differs in Call-ID is another transaction.
    const other = torture('badbranch');
    other.headers.set('Call-ID', 'another-call');
    expect(b.layer.receiveRequest(other, source()).kind).toBe('new');
    expect(b.sender.startLines()).toEqual(['SIP/2.0 200 OK', 'SIP/2.0 200 OK']);
  });
});

describe('client transaction matching (RFC 3261 §17.1.3)', () => {
  it('uses top Via branch + CSeq method: the CANCEL response does not reach the INVITE', () => {
    const b = makeBench();
    const inv = request();
    const events: string[] = [];
    const inviteTx = b.layer.sendRequest(inv, target(), { onFinal: (r) => events.push(`invite ${r.status}`) });
    b.layer.receiveResponse(responseTo(inv, 180, 'Ringing', 'x'));
    expect(b.layer.cancel(inviteTx, { handlers: { onFinal: (r) => events.push(`cancel ${r.status}`) } })).toBe('sent');
    const cancel = b.sender.sent.at(-1)?.message;
    if (!(cancel instanceof SipRequest)) throw new Error('no CANCEL sent');
    expect(b.layer.receiveResponse(responseTo(cancel, 200, 'OK', 'x')).kind).toBe('matched');
    expect(b.layer.receiveResponse(responseTo(inv, 487, 'Request Terminated', 'x')).kind).toBe('matched');
    expect(events).toEqual(['cancel 200', 'invite 487']);
  });

  it('reports stray and malformed responses', () => {
    const b = makeBench();
    const res = responseTo(request({ branch: 'z9hG4bK-unknown' }), 200, 'OK', 'x');
    expect(b.layer.receiveResponse(res)).toEqual({ kind: 'stray', reason: 'no matching transaction' });
    const noBranch = parse(['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP 10.0.0.1', 'From: <sip:a@b>;tag=1', 'To: <sip:c@d>', 'Call-ID: x', 'CSeq: 1 INVITE']);
    if (noBranch.kind !== 'response') throw new Error('not a response');
    expect(b.layer.receiveResponse(noBranch).kind).toBe('stray');
  });
});
