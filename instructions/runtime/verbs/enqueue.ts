import type { EnqueueVerb } from '../../verbs/enqueue.js';
import { answerOrEnd } from './answer.js';
import { end, NEXT, type VerbExecutor } from '../verb-executor.js';

/**
 * <Enqueue>: the caller waits in the named queue, hearing the wait
 * document, until a <Dial><Queue> takes it (and the bridge ends), its wait
 * document says <Leave>, or the queue is full. Then the action gets
 * QueueResult, QueueSid and QueueTime and its document runs (requested even
 * after a hangup, as Twilio does); without an action the next verb runs.
 * Taken out by the REST API (a Calls redirect, or a Member update with
 * Url), the action is requested at once with QueueResult redirected, and
 * the call runs the new document instead of the action's answer.
 */
export const executeEnqueue: VerbExecutor<EnqueueVerb> = async (verb, ctx) => {
  const got = await answerOrEnd(ctx);
  if ('end' in got) return got.end;
  const out = await ctx.control.enqueue({
    queueName: verb.queueName,
    endpoint: got.ok,
    ...(verb.waitUrl !== undefined ? { waitUrl: verb.waitUrl } : {}),
    waitUrlMethod: verb.waitUrlMethod,
    signal: ctx.signal,
    ...(verb.workflowSid !== undefined ? { workflowSid: verb.workflowSid, ...(verb.task ? { task: verb.task } : {}) } : {}),
  });
  const params = { QueueResult: out.result, QueueTime: String(out.queueTime), ...(out.queueSid ? { QueueSid: out.queueSid } : {}) };
  const hungUp = ctx.control.hangupSignal.aborted;
  if (hungUp) {
    if (verb.action !== undefined) await ctx.control.fetchNext({ url: verb.action, method: verb.method, params }, { afterHangup: true });
    return end('caller-hangup');
  }
  if (out.result === 'redirected') {
    // Twilio: "In the case where a call is dequeued due to a REST API request or the <Leave> verb, the
    // action URL is requested right away" (docs/voice/twiml/enqueue); the call then runs the document it
    // was sent to (a Member update's Url, or a Calls redirect's), not the action's answer.
    if (verb.action !== undefined) await ctx.control.fetchNext({ url: verb.action, method: verb.method, params }, { afterHangup: true });
    return out.redirectTo ? { kind: 'fetch', request: out.redirectTo } : NEXT;
  }
  if (ctx.signal.aborted) return NEXT;
  if (verb.action === undefined) return NEXT;
  return { kind: 'fetch', request: { url: verb.action, method: verb.method, params } };
};
