import { describe, expect, it } from 'vitest';
import type { ClientTransactionHandlers } from '../../../engine/sipstack/transaction/client-handlers.js';
import { makeBench, request, responseTo, settle, target } from './harness.js';

function recorder() {
  const events: string[] = [];
  const handlers: ClientTransactionHandlers = {
    onProvisional: (r) => events.push(`provisional ${r.status}`),
    onFinal: (r) => events.push(`final ${r.status}`),
    onTimeout: () => events.push('timeout'),
    onTransportError: (e) => events.push(`transport-error ${e.message}`),
  };
  return { events, handlers };
}

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  it('Timer E doubles from T1 and caps at T2; Timer F times out at 64*T1', () => {
    const b = makeBench();
    const { events, handlers } = recorder();
    const tx = b.layer.sendRequest(request({ method: 'OPTIONS' }), target(), handlers);
    b.clock.advance(40_000);
    expect(b.sender.timesOf('OPTIONS ')).toEqual([
      0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500,
    ]);
    expect(events).toEqual(['timeout']);
    expect(tx.state).toBe('terminated');
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });

  it('in Proceeding, Timer E retransmits every T2', () => {
    const b = makeBench();
    const { events, handlers } = recorder();
    const req = request({ method: 'REGISTER' });
    const tx = b.layer.sendRequest(req, target(), handlers);
    b.clock.advance(600); // one retransmission at 500; next E due at 1500
    b.layer.receiveResponse(responseTo(req, 100, 'Trying'));
    expect(tx.state).toBe('proceeding');
    b.clock.advance(20_000 - 600);
    // 1500 was armed before the 1xx; from then on every T2 = 4 s.
    expect(b.sender.timesOf('REGISTER ')).toEqual([0, 500, 1500, 5500, 9500, 13500, 17500]);
    b.layer.receiveResponse(responseTo(req, 200, 'OK', 'reg'));
    expect(events).toEqual(['provisional 100', 'final 200']);
    b.clock.advance(10_000);
    expect(b.sender.timesOf('REGISTER ')).toHaveLength(7);
  });

  it('Completed absorbs retransmitted finals for T4 (Timer K), then terminates', () => {
    const b = makeBench();
    const { events, handlers } = recorder();
    const req = request({ method: 'BYE', toTag: 'x' });
    const tx = b.layer.sendRequest(req, target(), handlers);
    b.layer.receiveResponse(responseTo(req, 200, 'OK'));
    expect(tx.state).toBe('completed');
    b.clock.advance(1000);
    expect(b.layer.receiveResponse(responseTo(req, 200, 'OK')).kind).toBe('matched');
    expect(events).toEqual(['final 200']);
    expect(b.sender.sent).toHaveLength(1); // no retransmission once completed
    b.clock.advance(3999);
    expect(tx.state).toBe('completed');
    b.clock.advance(1);
    expect(tx.state).toBe('terminated'); // K = T4 = 5 s after the first 200
    expect(b.layer.receiveResponse(responseTo(req, 200, 'OK')).kind).toBe('stray');
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });

  it('reliable transport: no Timer E, Timer K of zero', () => {
    const b = makeBench();
    const { events, handlers } = recorder();
    const req = request({ method: 'OPTIONS', transport: 'TCP' });
    const tx = b.layer.sendRequest(req, target('tcp'), handlers);
    b.clock.advance(10_000);
    expect(b.sender.sent).toHaveLength(1);
    b.layer.receiveResponse(responseTo(req, 200, 'OK'));
    expect(events).toEqual(['final 200']);
    expect(tx.state).toBe('terminated');
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });

  it('a transport error is reported and ends the transaction', async () => {
    const b = makeBench();
    const { events, handlers } = recorder();
    b.sender.failWith = new Error('ECONNREFUSED');
    b.layer.sendRequest(request({ method: 'OPTIONS', transport: 'TCP' }), target('tcp'), handlers);
    await settle();
    expect(events).toEqual(['transport-error ECONNREFUSED']);
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });
});
