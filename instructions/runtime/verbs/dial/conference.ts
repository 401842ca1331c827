import type { DialVerb } from '../../../verbs/dial.js';
import type { ConferenceNoun } from '../../../verbs/dial-nouns.js';
import type { VerbContext, VerbResult } from '../../verb-executor.js';
import { answerOrEnd } from '../answer.js';

/**
 * <Dial><Conference>: answers the caller and puts it in the named
 * conference until it leaves (it hangs up, presses * with hangupOnStar,
 * reaches timeLimit, is removed by the REST API, or the conference ends).
 * Then the Dial's action runs, or the next verb.
 */
export async function dialConference(
  verb: DialVerb,
  noun: ConferenceNoun,
  ctx: VerbContext,
  after: (params: Record<string, string>) => Promise<VerbResult>,
): Promise<VerbResult> {
  const got = await answerOrEnd(ctx);
  if ('end' in got) return got.end;
  const outcome = await ctx.control.joinConference({
    noun,
    endpoint: got.ok,
    signal: ctx.signal,
    hangupOnStar: verb.hangupOnStar,
    timeLimitSeconds: verb.timeLimit,
  });
  ctx.log.info({ conference: noun.name, conferenceSid: outcome.conferenceSid, reason: outcome.reason, seconds: outcome.durationSeconds }, '<Dial><Conference> ended');
  return after({ DialCallStatus: outcome.status === 'completed' ? 'completed' : 'failed' });
}
