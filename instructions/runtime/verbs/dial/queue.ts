import type { DialVerb } from '../../../verbs/dial.js';
import type { QueueNoun } from '../../../verbs/dial-nouns.js';
import { playPromptSource } from '../../prompt-source.js';
import type { VerbContext, VerbResult } from '../../verb-executor.js';
import { answerOrEnd } from '../answer.js';
import { stayBridged } from './bridged.js';

/**
 * <Dial><Queue>: takes the front caller of the queue (waiting up to the
 * Dial's timeout for one), plays it the noun's url document (with QueueSid,
 * CallSid, QueueTime and DequeingCallSid), then bridges the two until one
 * leaves. The dequeued caller's Enqueue then ends with QueueResult
 * bridged. The action gets DialCallStatus (completed; no-answer when nobody
 * came; failed when there is no such queue), DialCallSid and QueueSid.
 */
export async function dialQueue(verb: DialVerb, noun: QueueNoun, ctx: VerbContext, after: (params: Record<string, string>) => Promise<VerbResult>): Promise<VerbResult> {
  const got = await answerOrEnd(ctx);
  if ('end' in got) return got.end;
  const d = await ctx.control.dequeue({
    queueName: noun.name,
    timeoutSeconds: verb.timeout,
    signal: ctx.signal,
    ...(noun.reservationSid !== undefined ? { reservationSid: noun.reservationSid } : {}),
    ...(noun.postWorkActivitySid !== undefined ? { postWorkActivitySid: noun.postWorkActivitySid } : {}),
  });
  if ('status' in d) {
    ctx.log.info({ queue: noun.name, status: d.status }, '<Dial><Queue> found nobody to connect');
    return after({ DialCallStatus: d.status === 'no-queue' ? 'failed' : d.status === 'canceled' ? 'canceled' : 'no-answer' });
  }
  const c = d.caller;
  const base = { DialCallSid: c.callSid, QueueSid: c.queueSid };
  const both = AbortSignal.any([ctx.signal, c.control.hangupSignal]);
  if (noun.url !== undefined) {
    const params = { QueueSid: c.queueSid, CallSid: c.callSid, QueueTime: String(c.queueTime), DequeingCallSid: ctx.control.callSid };
    await playPromptSource(c.endpoint, (r) => c.control.fetchNext({ ...r, params: { ...r.params, ...params } }), { url: noun.url, method: noun.method }, { loop: false, signal: both, log: ctx.log });
  }
  if (both.aborted) {
    c.release(c.control.hangupSignal.aborted ? 'hangup' : 'bridging-in-process');
    return after({ ...base, DialCallStatus: ctx.signal.aborted ? 'canceled' : 'no-answer' });
  }
  const started = performance.now();
  const how = await stayBridged({ caller: got.ok, leg: c, signal: ctx.signal, timeLimitSeconds: verb.timeLimit, hangupOnStar: verb.hangupOnStar });
  c.release('bridged');
  ctx.log.info({ queue: noun.name, dequeued: c.callSid, end: how }, '<Dial><Queue> ended');
  return after({ ...base, DialCallStatus: 'completed', DialCallDuration: String(Math.round((performance.now() - started) / 1000)) });
}
