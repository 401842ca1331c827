import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { SignalingCall, SignalingEvents } from '../signaling-events/call-signaling.js';
import { checkReferTo } from '../signaling-events/refer-to.js';
import { describeRequest, type SignalingMessage, type SipMessageLike } from '../signaling-events/signaling-message.js';
import { ReferSubscription } from './refer-subscription.js';

/** Subscriptions of REFERs a call keeps at once; a REFER beyond them is declined. */
export const MAX_REFER_SUBSCRIPTIONS = 4;
/** How long a REFER's subscription lasts when no outcome comes first. */
export const REFER_EXPIRES_SECONDS = 60;

/** A REFER with exactly one Refer-To (RFC 3515 2.4.1), as a decider sees it. */
export interface ReferRequest {
  req: Srf.SrfRequest;
  msg: SignalingMessage;
  /** The Refer-To value as written, and its URI without angle brackets. */
  referTo: { value: string; uri: string };
}

/**
 * How a call decides a REFER: declined at once (603, the reason is logged),
 * or accepted with an outcome to come: true when the transfer was taken on
 * (final NOTIFY 200 OK), false when not (603 Declined).
 */
export type ReferDecision = { declined: string } | { outcome: Promise<boolean> };
export type ReferDecider = (refer: ReferRequest) => ReferDecision;

/**
 * The decider of a call that runs documents: a REFER is accepted when a
 * signaling-event rule reports it, and taken on when a callback answered
 * instructions that the call took.
 */
export function signalingReferDecider(signaling: Pick<SignalingEvents, 'reportOf'> | undefined, ended: AbortSignal): ReferDecider {
  return ({ req }) => {
    const report = ended.aborted ? undefined : signaling?.reportOf(req);
    if (!report || report.queued === 0) return { declined: 'no signaling-event rule reports it, and the engine does not transfer calls on its own' };
    return { outcome: report.outcome.then((outcome) => outcome === 'instructions') };
  };
}

export interface ReferHandlingOptions {
  dialog: Srf.Dialog;
  call: SignalingCall;
  /** Tells whether a signaling-event rule reports a REFER, and what its callbacks answered. */
  signaling: Pick<SignalingEvents, 'reportOf'> | undefined;
  /** Who decides the REFERs that have one Refer-To; the signaling-event rules when absent (signalingReferDecider). */
  decide?: ReferDecider;
  /** The call ended. */
  ended: AbortSignal;
  log: Logger;
  maxSubscriptions?: number;
  expiresSeconds?: number;
}

/** The REFERs of a dialog, as its call sees them. */
export interface ReferHandling {
  /** Resolves when the final NOTIFYs already decided have been answered (or given up): a BYE goes after them. */
  settled(): Promise<void>;
}

/** drachtio-srf's response, as far as sending goes. */
type Reply = Pick<Srf.SrfResponse, 'send'> & { finalResponseSent?: boolean };

function cseqNumber(cseq: string | undefined): string {
  return /^\s*(\d+)/.exec(cseq ?? '')?.[1] ?? '0';
}

/**
 * Answers the REFERs the far end sends inside a call (a phone's transfer
 * button, RFC 3515). The engine cannot transfer a call on its own: a REFER
 * is accepted only when `decide` lets the application decide (a
 * signaling-event rule reports it and its callback answers instructions,
 * e.g. a <Dial> to the Refer-To target; or a <Dial referUrl>). Then:
 * - 202 Accepted at once, never waiting for the callback (RFC 3515 2.4.2);
 * - a NOTIFY `SIP/2.0 100 Trying` at once (2.4.4), Subscription-State active;
 * - when the application took the transfer on, a final NOTIFY
 *   `SIP/2.0 200 OK`; when not (no instructions, failure, timeout,
 *   dropped), `SIP/2.0 603 Declined`; both with Subscription-State
 *   terminated;reason=noresource.
 * A REFER without Refer-To, or with more than one, gets 400 (2.4.1); one
 * that `decide` declines, or beyond `maxSubscriptions` still active, gets 603.
 * A REFER with `Refer-Sub: false` (RFC 4488 4) is accepted without a
 * subscription: 202 with `Refer-Sub: false`, and no NOTIFY.
 */
export function handleRefers(opts: ReferHandlingOptions): ReferHandling {
  const { dialog, log } = opts;
  const decide = opts.decide ?? signalingReferDecider(opts.signaling, opts.ended);
  const max = opts.maxSubscriptions ?? MAX_REFER_SUBSCRIPTIONS;
  const expiresSeconds = opts.expiresSeconds ?? REFER_EXPIRES_SECONDS;
  const active = new Set<ReferSubscription>();
  /** Final NOTIFYs queued and not yet answered. */
  const finishing = new Set<Promise<void>>();
  let received = 0;

  const answer = (res: Reply, status: number, reason?: string, headers?: Record<string, string>): void => {
    if (res.finalResponseSent) return;
    if (reason === undefined) res.send(status, headers ? { headers } : {});
    else res.send(status, reason, headers ? { headers } : {});
  };

  const onRefer = (req: Srf.SrfRequest, res: Reply): void => {
    const msg = describeRequest(req as unknown as SipMessageLike, 'received');
    const cseq = cseqNumber(msg.headers.cseq);
    // RFC 3515 2.4.6: the NOTIFYs of the second and later REFERs of a dialog carry id=<CSeq of the REFER>.
    const event = received++ === 0 ? 'refer' : `refer;id=${cseq}`;
    const referTo = checkReferTo(msg.headers['refer-to']);
    if (!referTo.ok) {
      log.warn({ cseq, reason: referTo.reason }, 'REFER refused: 400');
      answer(res, 400, referTo.reason);
      return;
    }
    // RFC 4488 4: `Refer-Sub: false` asks for no subscription (no NOTIFY).
    const subscribe = msg.headers['refer-sub']?.trim().toLowerCase() !== 'false';
    if (subscribe && active.size >= max) {
      log.warn({ cseq, referTo: referTo.uri, active: active.size }, 'REFER declined: too many REFER subscriptions in the call');
      answer(res, 603);
      return;
    }
    const decision = decide({ req, msg, referTo: { value: referTo.value, uri: referTo.uri } });
    if ('declined' in decision) {
      log.warn({ cseq, referTo: referTo.uri }, `REFER declined: ${decision.declined}`);
      answer(res, 603);
      return;
    }
    const outcome = decision.outcome.catch((err: unknown) => {
      log.warn({ cseq, reason: err instanceof Error ? err.message : String(err) }, 'REFER outcome failed');
      return false;
    });
    if (!subscribe) {
      log.info({ cseq, referTo: referTo.uri }, 'REFER accepted without a subscription (Refer-Sub: false)');
      answer(res, 202, undefined, { 'Refer-Sub': 'false' });
      return;
    }
    answer(res, 202);
    log.info({ cseq, referTo: referTo.uri }, 'REFER accepted: the application decides');
    const subscription: ReferSubscription = new ReferSubscription({
      dialog,
      event,
      expiresSeconds,
      ended: opts.ended,
      log,
      onTerminated: () => active.delete(subscription),
    });
    active.add(subscription);
    subscription.trying();
    void outcome.then((taken) => {
      log.info({ cseq, referTo: referTo.uri, taken }, taken ? 'REFER taken on by the application' : 'REFER not taken on by the application');
      subscription.finish(taken ? 200 : 603);
      const done = subscription.settled();
      finishing.add(done);
      void done.finally(() => finishing.delete(done));
    });
  };

  dialog.on('refer', (req, res) => {
    try {
      onRefer(req, res as Reply);
    } catch (err) {
      log.error({ reason: err instanceof Error ? err.message : String(err) }, 'REFER could not be handled');
      try {
        answer(res as Reply, 500);
      } catch {
        // The response could not be sent either; the far end retransmits or gives up.
      }
    }
  });
  return { settled: () => Promise.all([...finishing]).then(() => undefined) };
}
