/**
 * A long call whose far end keeps transferring: each REFER's subscription
 * ends (final NOTIFY answered) and must leave nothing behind on the call,
 * however many REFERs the call sees.
 */
import { EventEmitter, getEventListeners } from 'node:events';
import type Srf from 'drachtio-srf';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { handleRefers } from '../../engine/calls/refer-handler.js';
import type { SignalingReport } from '../../engine/signaling-events/call-signaling.js';

/** A dialog as drachtio-srf gives one: emits 'refer', sends in-dialog requests (here answered 200 at once). */
class FakeDialog extends EventEmitter {
  connected = true;
  notifies = 0;
  async request(): Promise<{ status: number }> {
    this.notifies++;
    return { status: 200 };
  }
}

function refer(cseq: number): Srf.SrfRequest {
  return { method: 'REFER', headers: { cseq: `${cseq} REFER`, 'refer-to': '<sip:carol@example.com>' }, body: '' } as unknown as Srf.SrfRequest;
}

describe('REFERs in a long call', () => {
  it('leave no listener on the call once their subscriptions are over', async () => {
    const dialog = new FakeDialog();
    const ended = new AbortController();
    const reports = new Map<object, SignalingReport>();
    handleRefers({
      dialog: dialog as unknown as Srf.Dialog,
      call: { sid: 'CA1', accountSid: 'AC1', applicationId: 'app', parentCallSid: undefined },
      signaling: { reportOf: (req) => reports.get(req) },
      ended: ended.signal,
      log: pino({ level: 'silent' }),
    });
    const before = getEventListeners(ended.signal, 'abort').length;
    const answers: number[] = [];
    for (let i = 1; i <= 200; i++) {
      const req = refer(i);
      reports.set(req, { queued: 1, outcome: Promise.resolve('none') });
      dialog.emit('refer', req, { send: (status: number) => void answers.push(status), finalResponseSent: false });
      // Let the callback's outcome and the final NOTIFY go through before the next REFER.
      for (let spins = 0; dialog.notifies < 2 * i && spins < 1000; spins++) await new Promise<void>((r) => setImmediate(r));
      if (dialog.notifies < 2 * i) throw new Error(`REFER ${i}: answers ${answers.join(",")} notifies ${dialog.notifies}`);
    }
    expect(answers.every((s) => s === 202)).toBe(true);
    expect(dialog.notifies).toBe(400);
    expect(getEventListeners(ended.signal, 'abort').length).toBe(before);
  });
});
