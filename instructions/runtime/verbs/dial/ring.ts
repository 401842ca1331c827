import type { ClientNoun, NumberNoun, SipNoun } from '../../../verbs/dial-nouns.js';
import type { Endpoint } from '../../../../media/types.js';
import type { CallControl, DialAttempt, DialLeg, DialLegSip, DialLegStatus } from '../../call-control.js';

export type RingNoun = NumberNoun | SipNoun | ClientNoun;

export type RingResult =
  | { answered: DialLeg; noun: RingNoun }
  | { status: DialLegStatus; callSid?: string; sipStatus?: number; sip?: DialLegSip };

export interface RingOptions {
  control: CallControl;
  nouns: readonly RingNoun[];
  callerId?: string;
  timeoutSeconds: number;
  /** The caller left or the call was redirected: every leg still ringing is cancelled. */
  signal: AbortSignal;
  onEarlyMedia?: (endpoint: Endpoint) => void;
  /** A called party rings (its first 18x, with that response's status). */
  onRinging?: (sipStatus: number) => void;
}

/**
 * Which status a Dial reports when nobody answered: busy when a party was
 * busy, else no-answer when one rang out, else failed; canceled when the
 * dial was stopped from the caller's side.
 */
function combinedStatus(attempts: readonly Extract<DialAttempt, { status: DialLegStatus }>[], stopped: boolean): DialLegStatus {
  if (stopped) return 'canceled';
  for (const wanted of ['busy', 'no-answer', 'failed'] as const) if (attempts.some((a) => a.status === wanted)) return wanted;
  return 'failed';
}

/**
 * Rings every noun at once. The first to answer wins; the others are
 * cancelled (and one that answers anyway, crossing the CANCEL, is hung up).
 */
export async function ringAll(opts: RingOptions): Promise<RingResult> {
  const { control, nouns } = opts;
  const cancels = nouns.map(() => new AbortController());
  let winner: { leg: DialLeg; noun: RingNoun } | undefined;
  const failures: Extract<DialAttempt, { status: DialLegStatus }>[] = [];
  const stopAll = (): void => cancels.forEach((c) => c.abort());
  opts.signal.addEventListener('abort', stopAll, { once: true });
  let earlyMediaFrom: number | undefined;

  let announceWinner: () => void = () => undefined;
  const firstAnswer = new Promise<void>((resolve) => (announceWinner = resolve));
  const legs = nouns.map(async (noun, i) => {
    const attempt = await control.placeDialLeg({
      noun,
      callerId: opts.callerId,
      timeoutSeconds: opts.timeoutSeconds,
      signal: AbortSignal.any([opts.signal, cancels[i]!.signal]),
      onRinging: (sipStatus) => {
        if (!winner) opts.onRinging?.(sipStatus);
      },
      // Early media of one ringing party at a time reaches the caller: the first to send it.
      onEarlyMedia: (endpoint) => {
        if (winner || (earlyMediaFrom !== undefined && earlyMediaFrom !== i)) return;
        earlyMediaFrom = i;
        opts.onEarlyMedia?.(endpoint);
      },
    });
    if ('answered' in attempt) {
      if (winner || opts.signal.aborted) {
        await attempt.answered.hangup();
        return;
      }
      winner = { leg: attempt.answered, noun };
      cancels.forEach((c, j) => j !== i && c.abort());
      announceWinner();
      return;
    }
    failures.push(attempt);
  });
  // The winner is connected at once; the others finish cancelling on their own.
  await Promise.race([firstAnswer, Promise.all(legs)]);
  opts.signal.removeEventListener('abort', stopAll);
  if (winner) return { answered: winner.leg, noun: winner.noun };
  const status = combinedStatus(failures, opts.signal.aborted);
  const last = failures.find((f) => f.status === status) ?? failures[0];
  // One noun: its call and SIP details are the Dial's (several: no one of them is).
  const one = nouns.length === 1 ? last : undefined;
  return { status, callSid: one?.callSid, sipStatus: last?.sipStatus, ...(one?.sip ? { sip: one.sip } : {}) };
}

/**
 * <Dial sequential="true">: rings the nouns one after another, each for the
 * Dial's timeout, until one answers; none answering reports as ringAll
 * does over all of them (busy before no-answer before failed), the last
 * tried's call and SIP details with it.
 */
export async function ringInTurn(opts: RingOptions): Promise<RingResult> {
  const tried: Extract<RingResult, { status: DialLegStatus }>[] = [];
  for (const noun of opts.nouns) {
    if (opts.signal.aborted) break;
    const rung = await ringAll({ ...opts, nouns: [noun] });
    if ('answered' in rung) return rung;
    tried.push(rung);
  }
  const status = opts.signal.aborted ? 'canceled' : combinedStatus(tried.map((t) => ({ ...t, reason: '' })), false);
  const last = tried[tried.length - 1];
  return { status, callSid: last?.callSid, sipStatus: last?.sipStatus, ...(last?.sip ? { sip: last.sip } : {}) };
}
