import { describe, expect, it } from 'vitest';
import { createResponse } from '../../../engine/sipstack/message/response.js';
import { SipRequest, type SipMessage } from '../../../engine/sipstack/message/sip-message.js';
import { HeapTimerService, ManualClock } from '../../../engine/sipstack/transaction/timer-service.js';
import { TransactionLayer } from '../../../engine/sipstack/transaction/transaction-layer.js';
import type { MessageSender } from '../../../engine/sipstack/transport/types.js';
import { RecordingLogger, request, source, target } from './harness.js';

class CountingSender implements MessageSender {
  counts = new Map<string, number>();
  send(message: SipMessage): Promise<void> {
    const key = message.kind === 'request' ? message.method : String(message.status);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    return Promise.resolve();
  }
}

function variant(template: SipRequest, method: string, branch: string, callId: string, toTag?: string): SipRequest {
  const headers = template.headers.clone();
  headers.set('Via', `SIP/2.0/UDP 192.0.2.1:5060;branch=${branch}`);
  headers.set('Call-ID', callId);
  headers.set('CSeq', `${method === 'BYE' ? 2 : 1} ${method}`);
  if (toTag) headers.set('To', `<sip:bob@example.com>;tag=${toTag}`);
  return new SipRequest(method, template.uri, headers);
}

describe('transaction layer at scale', () => {
  it('50,000 transactions leave no live transaction and no timer behind', () => {
    const clock = new ManualClock(0);
    const timers = new HeapTimerService(clock);
    const sender = new CountingSender();
    const logger = new RecordingLogger();
    const layer = new TransactionLayer({ sender, timers, logger });
    const template = request();
    const calls = 13_000; // 3.9 transactions a call: about 50,000 transactions
    let peak = { client: 0, server: 0, timers: 0 };
    let created = 0;
    let finals = 0;

    for (let i = 0; i < calls; i++) {
      const callId = `call-${i}`;
      // Inbound call: INVITE, its retransmission, 180, 200 (or 486 + ACK), ACK for the 2xx, BYE.
      const inv = variant(template, 'INVITE', `z9hG4bK-in-${i}`, callId);
      const r = layer.receiveRequest(inv, source());
      if (r.kind !== 'new') throw new Error(`call ${i}: ${r.kind}`);
      created++;
      layer.receiveRequest(variant(template, 'INVITE', `z9hG4bK-in-${i}`, callId), source());
      r.tx.respond(createResponse(inv, 180, undefined, { toTag: 'uas' }));
      if (i % 10 === 0) {
        r.tx.respond(createResponse(inv, 486, undefined, { toTag: 'uas' }));
        layer.receiveRequest(variant(template, 'ACK', `z9hG4bK-in-${i}`, callId, 'uas'), source());
      } else {
        r.tx.respond(createResponse(inv, 200, undefined, { toTag: 'uas' }));
        const ack = layer.receiveRequest(variant(template, 'ACK', `z9hG4bK-ack-${i}`, callId, 'uas'), source());
        if (ack.kind !== 'ack-2xx') throw new Error(`call ${i}: ACK ${ack.kind}`);
        if (r.tx.kind === 'server-invite') r.tx.ackReceived();
        const bye = variant(template, 'BYE', `z9hG4bK-bye-${i}`, callId, 'uas');
        const b = layer.receiveRequest(bye, source());
        if (b.kind !== 'new') throw new Error(`call ${i}: BYE ${b.kind}`);
        created++;
        b.tx.respond(createResponse(bye, 200));
      }

      // Outbound call: INVITE, 180, 200, then BYE and its 200.
      const out = variant(template, 'INVITE', `z9hG4bK-out-${i}`, `out-${i}`);
      layer.sendRequest(out, target(), { onFinal: () => finals++ });
      created++;
      layer.receiveResponse(createResponse(out, 180, undefined, { toTag: 'far' }));
      layer.receiveResponse(createResponse(out, 200, undefined, { toTag: 'far' }));
      const outBye = variant(template, 'BYE', `z9hG4bK-outbye-${i}`, `out-${i}`, 'far');
      layer.sendRequest(outBye, target(), { onFinal: () => finals++ });
      created++;
      layer.receiveResponse(createResponse(outBye, 200));

      if (i % 50 === 0) clock.advance(1); // 50 calls per ms: timers of many ages interleave
      if (i % 1000 === 999) {
        const c = layer.counts();
        if (c.timers > peak.timers) peak = c;
      }
    }
    // The layer really held tens of thousands of transactions and timers at once...
    expect(created).toBeGreaterThanOrEqual(50_000);
    expect(peak.server).toBeGreaterThan(20_000);
    expect(peak.client).toBeGreaterThan(20_000);
    expect(peak.timers).toBeGreaterThan(40_000);
    expect(finals).toBe(2 * calls);
    // ...and every one of them is gone once the longest timer (64*T1) has run.
    clock.advance(64 * 500 + 5000);
    expect(layer.counts()).toEqual({ client: 0, server: 0, timers: 0 });
    expect(logger.messages('error')).toEqual([]);
    expect(logger.messages('warn')).toEqual([]);
    expect(sender.counts.get('INVITE')).toBe(calls); // no retransmission: every call answered in time
    expect(sender.counts.get('100')).toBe(2 * calls); // one per INVITE, one for its retransmission
    expect(sender.counts.get('ACK')).toBeUndefined(); // our ACKs for 2xx belong to the dialog layer
  });
});
