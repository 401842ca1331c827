import { describe, expect, it } from 'vitest';
import { createResponse } from '../../../engine/sipstack/message/response.js';
import { makeBench, request, source } from './harness.js';

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  it('Trying discards retransmissions; Proceeding repeats the provisional; Completed repeats the final', () => {
    const b = makeBench();
    const req = request({ method: 'REGISTER' });
    const r = b.layer.receiveRequest(req, source());
    if (r.kind !== 'new') throw new Error(r.kind);
    const tx = r.tx;
    expect(tx.state).toBe('trying');
    expect(b.sender.sent).toHaveLength(0); // no automatic 100 for non-INVITE
    expect(b.layer.receiveRequest(request({ method: 'REGISTER' }), source()).kind).toBe('absorbed');
    expect(b.sender.sent).toHaveLength(0);

    tx.respond(createResponse(req, 100));
    expect(tx.state).toBe('proceeding');
    b.layer.receiveRequest(request({ method: 'REGISTER' }), source());
    expect(b.sender.startLines()).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 100 Trying']);

    tx.respond(createResponse(req, 200, undefined, { toTag: 'reg' }));
    expect(tx.state).toBe('completed');
    b.layer.receiveRequest(request({ method: 'REGISTER' }), source());
    b.layer.receiveRequest(request({ method: 'REGISTER' }), source());
    expect(b.sender.startLines()).toEqual([
      'SIP/2.0 100 Trying',
      'SIP/2.0 100 Trying',
      'SIP/2.0 200 OK',
      'SIP/2.0 200 OK',
      'SIP/2.0 200 OK',
    ]);
    // The final response itself is never retransmitted on a timer.
    b.clock.advance(31_999);
    expect(b.sender.sent).toHaveLength(5);
    expect(tx.state).toBe('completed');
    b.clock.advance(1); // Timer J = 64*T1 on UDP
    expect(tx.state).toBe('terminated');
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
    // After Timer J the same request is new again.
    expect(b.layer.receiveRequest(request({ method: 'REGISTER' }), source()).kind).toBe('new');
  });

  it('reliable transport: Timer J of zero', () => {
    const b = makeBench();
    const req = request({ method: 'OPTIONS', transport: 'TCP' });
    const r = b.layer.receiveRequest(req, source('tcp'));
    if (r.kind !== 'new') throw new Error(r.kind);
    r.tx.respond(createResponse(req, 200, undefined, { toTag: 'o' }));
    expect(r.tx.state).toBe('terminated');
    expect(b.sender.sent[0].target.connectionId).toBe('conn-1');
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });

  it('a request the TU never answers is abandoned after 64*T1 (the client gave up at Timer F)', () => {
    const b = makeBench();
    const req = request({ method: 'OPTIONS' });
    const r = b.layer.receiveRequest(req, source());
    if (r.kind !== 'new') throw new Error(r.kind);
    let ended = 0;
    r.tx.setHandlers({ onTerminated: () => ended++ });
    r.tx.respond(createResponse(req, 100));
    b.clock.advance(31_999);
    expect(r.tx.state).toBe('proceeding');
    b.clock.advance(1);
    expect(r.tx.state).toBe('terminated');
    expect(ended).toBe(1);
    expect(b.logger.messages('warn')).toEqual(['no final response from the transaction user within 64*T1; transaction abandoned']);
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
    expect(r.tx.respond(createResponse(req, 200))).toBe(false);
  });

  it('one final response only', () => {
    const b = makeBench();
    const req = request({ method: 'BYE', toTag: 't' });
    const r = b.layer.receiveRequest(req, source());
    if (r.kind !== 'new') throw new Error(r.kind);
    expect(r.tx.respond(createResponse(req, 200))).toBe(true);
    expect(r.tx.respond(createResponse(req, 481))).toBe(false);
    expect(r.tx.hasFinalResponse).toBe(true);
    expect(b.sender.startLines()).toEqual(['SIP/2.0 200 OK']);
  });
});
