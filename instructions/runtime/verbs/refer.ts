import type { ReferVerb } from '../../verbs/refer.js';
import type { ReferSendOutcome } from '../call-control.js';
import { APPLICATION_ERROR_TEXT } from '../interpreter.js';
import { end, NEXT, type VerbContext, type VerbExecutor, type VerbResult } from '../verb-executor.js';
import { answerOrEnd } from './answer.js';

/**
 * Twilio's ReferCallStatus for an outcome (docs/voice/twiml/refer): the
 * referred call's status from the final NOTIFY (`in-progress` for 200,
 * `busy` for 486, ...); `failed` when the REFER was refused, a NOTIFY could
 * not be read, or the NOTIFYs stopped before a final status; `canceled`
 * when the caller hung up first. Left out when no NOTIFY came at all, as
 * Twilio leaves it out "if the endpoint does not send any NOTIFY requests".
 */
function referCallStatus(out: ReferSendOutcome, callerGone: boolean): string | undefined {
  switch (out.end) {
    case 'final':
      return out.referredCall;
    case 'stopped':
      return callerGone ? 'canceled' : undefined;
    case 'refused':
    case 'malformed':
      return 'failed';
    case 'terminated':
    case 'timeout':
      return out.notifyStatus === undefined ? undefined : 'failed';
  }
}

/** The parameters <Refer> adds to the action request: ReferCallStatus, ReferSipResponseCode, NotifySipResponseCode. */
export function referParams(out: ReferSendOutcome, callerGone: boolean): Record<string, string> {
  const status = referCallStatus(out, callerGone);
  return {
    ...(status === undefined ? {} : { ReferCallStatus: status }),
    ...(out.referStatus === undefined ? {} : { ReferSipResponseCode: String(out.referStatus) }),
    ...(out.notifyStatus === undefined ? {} : { NotifySipResponseCode: String(out.notifyStatus) }),
  };
}

/** The action gave no document (nor did the fallback): as the interpreter does, the caller hears why and the call ends. */
async function actionFailed(ctx: VerbContext, say: (text: string) => Promise<unknown>): Promise<VerbResult> {
  try {
    await say(APPLICATION_ERROR_TEXT);
  } catch (err) {
    ctx.log.warn({ reason: (err as Error).message }, 'the application error could not be spoken');
  }
  if (!ctx.control.hangupSignal.aborted) await ctx.control.hangup();
  return end('hangup-verb');
}

/**
 * <Refer>: answers the call if needed, sends a REFER (RFC 3515) to its SIP
 * party with the <Sip> URI as Refer-To, and waits for the outcome the
 * party's NOTIFYs report. Then, as Twilio does:
 * - with an action, it is requested with ReferCallStatus,
 *   ReferSipResponseCode and NotifySipResponseCode, and its document
 *   replaces this one, whether the transfer worked or not; the request is
 *   made even when the caller hung up meanwhile (a transferred party
 *   usually does at once), and then its answer is not run;
 * - without one the next verb runs, and after the last verb the call ends
 *   (BYE) as every document's end does.
 * A redirect (REST API) stops the wait: the new document runs, the action
 * is not requested.
 */
export const executeRefer: VerbExecutor<ReferVerb> = async (verb, ctx) => {
  const got = await answerOrEnd(ctx);
  if ('end' in got) return got.end;
  const endpoint = got.ok;
  const { control } = ctx;
  let outcome: ReferSendOutcome;
  if (control.sendRefer) {
    outcome = await control.sendRefer({ referTo: verb.sip.uri, headers: verb.sip.headers, signal: ctx.signal });
  } else {
    ctx.log.warn('<Refer> needs a SIP call of its own: this call cannot send a REFER');
    outcome = { end: 'refused' };
  }
  const callerGone = control.hangupSignal.aborted;
  if (!callerGone && ctx.signal.aborted) return NEXT;
  const params = referParams(outcome, callerGone);
  ctx.log.info({ referTo: verb.sip.uri, end: outcome.end, ...params }, '<Refer> ended');
  if (verb.action === undefined) return callerGone ? end('caller-hangup') : NEXT;
  const fetched = await control.fetchNext({ url: verb.action, method: verb.method, params }, { afterHangup: true });
  if (control.hangupSignal.aborted) return end('caller-hangup');
  // A redirect that came during the request wins: the interpreter takes it.
  if (ctx.signal.aborted) return NEXT;
  if ('document' in fetched) return { kind: 'run', fetched };
  return actionFailed(ctx, (text) => endpoint.say(text, { signal: control.hangupSignal }));
};
