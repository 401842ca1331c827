import { describe, expect, it } from 'vitest';
import { createResponse } from '../../../engine/sipstack/message/response.js';
import type { SipRequest } from '../../../engine/sipstack/message/sip-message.js';
import {
  IllegalTransitionError,
  Transaction,
  type TransactionContext,
} from '../../../engine/sipstack/transaction/transaction-base.js';
import { resolveTimers } from '../../../engine/sipstack/transaction/transaction-timers.js';
import { HeapTimerService, ManualClock } from '../../../engine/sipstack/transaction/timer-service.js';
import { makeBench, RecordingLogger, request, source, target } from './harness.js';

type Toy = 'a' | 'b' | 'terminated';

/** A transaction whose table forbids a -> a, to see what an internal defect does. */
class ToyTransaction extends Transaction<Toy> {
  readonly kind = 'server-non-invite' as const;
  constructor(ctx: TransactionContext) {
    super(ctx, 'toy', 'toy-call', 'a', { a: ['b', 'terminated'], b: ['terminated'], terminated: [] }, 'terminated');
  }
  breakIt(): void {
    this.guard('test', () => this.transition('a'));
  }
  arm(): void {
    this.startTimer('X', 100, () => {});
  }
  protected onTransportFailure(): void {}
}

describe('robustness', () => {
  it('an illegal transition is logged as an internal error and the transaction is terminated', () => {
    const clock = new ManualClock();
    const timers = new HeapTimerService(clock);
    const logger = new RecordingLogger();
    const ended: string[] = [];
    const ctx: TransactionContext = {
      sender: { send: () => Promise.resolve() },
      timers,
      values: resolveTimers(),
      logger,
      terminated: (tx) => ended.push(tx.id),
    };
    const tx = new ToyTransaction(ctx);
    tx.arm();
    expect(timers.size).toBe(1);
    expect(() => tx.breakIt()).not.toThrow();
    expect(tx.state).toBe('terminated');
    expect(ended).toEqual(['toy']);
    expect(timers.size).toBe(0);
    const line = logger.lines.find((l) => l.level === 'error');
    expect(line?.msg).toBe('internal error in SIP transaction (test)');
    expect((line?.obj as { err: unknown }).err).toBeInstanceOf(IllegalTransitionError);
  });

  it('a sender that throws synchronously is a transport error, not a crash', async () => {
    const b = makeBench();
    const layer = b.layer;
    const events: string[] = [];
    (b.sender as { send: unknown }).send = () => {
      throw new Error('socket closed');
    };
    expect(() =>
      layer.sendRequest(request({ method: 'OPTIONS' }), target(), { onTransportError: (e) => events.push(e.message) }),
    ).not.toThrow();
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['socket closed']);
    expect(layer.counts().client).toBe(0);
  });

  it('random traffic never throws and leaves nothing behind', () => {
    const b = makeBench();
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const methods = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS'];
    const received: { req: SipRequest; tx?: { respond(r: ReturnType<typeof createResponse>): boolean } }[] = [];
    for (let i = 0; i < 5000; i++) {
      const choice = rand(10);
      if (choice < 5) {
        const method = methods[rand(methods.length)];
        const req = request({
          method,
          branch: rand(4) === 0 ? `old-${rand(20)}` : `z9hG4bK-${rand(40)}`,
          sentBy: `192.0.2.${rand(3)}:5060`,
          toTag: rand(2) ? 'uas' : undefined,
          seq: rand(3) + 1,
          callId: `fuzz-${rand(5)}`,
          transport: rand(3) === 0 ? 'TCP' : 'UDP',
        });
        const r = b.layer.receiveRequest(req, source(rand(3) === 0 ? 'tcp' : 'udp'));
        if (r.kind === 'new') received.push({ req, tx: r.tx });
        if (r.kind === 'cancel' || r.kind === 'no-transaction-for-cancel') received.push({ req, tx: r.cancelTx });
      } else if (choice < 8 && received.length > 0) {
        const { req, tx } = received[rand(received.length)];
        const status = [100, 180, 200, 404, 486, 487][rand(6)];
        tx?.respond(createResponse(req, status, undefined, { toTag: 'uas' }));
      } else if (choice === 8) {
        try {
          const m = methods[rand(methods.length)];
          if (m !== 'ACK') b.layer.sendRequest(request({ method: m, branch: b.layer.newBranch() }), target(), {});
        } catch {
          // a duplicate branch is the caller's defect; not expected here
        }
      } else {
        b.clock.advance(rand(3000));
      }
    }
    // INVITEs wait for their TU as long as it takes (ringing has no time limit): answer them.
    for (const { req, tx } of received) tx?.respond(createResponse(req, 480, undefined, { toTag: 'uas' }));
    b.clock.advance(120_000);
    expect(b.logger.messages('error')).toEqual([]);
    expect(b.timerErrors).toEqual([]);
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
    // And it still works afterwards.
    const r = b.layer.receiveRequest(request({ branch: 'z9hG4bK-after' }), source());
    expect(r.kind).toBe('new');
  });

  it('destroy() ends every transaction and timer', () => {
    const b = makeBench();
    b.layer.receiveRequest(request(), source());
    b.layer.sendRequest(request({ method: 'OPTIONS', branch: 'z9hG4bK-o' }), target());
    expect(b.layer.counts().timers).toBeGreaterThan(0);
    b.layer.destroy();
    expect(b.layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
  });
});
