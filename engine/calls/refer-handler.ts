import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { SignalingCall, SignalingEvents } from '../signaling-events/call-signaling.js';
import { checkReferTo } from '../signaling-events/refer-to.js';
import { describeRequest, type SipMessageLike } from '../signaling-events/signaling-message.js';
import { ReferSubscription } from './refer-subscription.js';

/** Subscriptions of REFERs a call keeps at once; a REFER beyond them is declined. */
export const MAX_REFER_SUBSCRIPTIONS = 4;
/** How long a REFER's subscription lasts when no outcome comes first. */
export const REFER_EXPIRES_SECONDS = 60;

export interface ReferHandlingOptions {
  dialog: Srf.Dialog;
  call: SignalingCall;
  /** Tells whether a signaling-event rule reports a REFER, and what its callbacks answered. */
  signaling: Pick<SignalingEvents, 'reportOf'> | undefined;
  /** The call ended. */
  ended: AbortSignal;
  log: Logger;
  maxSubscriptions?: number;
  expiresSeconds?: number;
}

/** drachtio-srf's response, as far as sending goes. */
type Reply = Pick<Srf.SrfResponse, 'send'> & { finalResponseSent?: boolean };

function cseqNumber(cseq: string | undefined): string {
  return /^\s*(\d+)/.exec(cseq ?? '')?.[1] ?? '0';
}

/**
 * Answers the REFERs the far end sends inside a call (a phone's transfer
 * button, RFC 3515). The engine cannot transfer a call on its own: a REFER
 * is accepted only when a signaling-event rule of the call reports it, so
 * that the application decides (its callback answers with instructions,
 * e.g. a <Dial> to the Refer-To target). Then:
 * - 202 Accepted at once, never waiting for the callback (RFC 3515 2.4.2);
 * - a NOTIFY `SIP/2.0 100 Trying` at once (2.4.4), Subscription-State active;
 * - when a callback answered with instructions the call took, a final
 *   NOTIFY `SIP/2.0 200 OK`; when every callback ended without (no
 *   instructions, failure, timeout, dropped), `SIP/2.0 603 Declined`; both
 *   with Subscription-State terminated;reason=noresource.
 * A REFER without Refer-To, or with more than one, gets 400 (2.4.1); one
 * that no rule reports, or beyond `maxSubscriptions` still active, gets 603.
 * A REFER with `Refer-Sub: false` (RFC 4488 4) is accepted without a
 * subscription: 202 with `Refer-Sub: false`, and no NOTIFY.
 */
export function handleRefers(opts: ReferHandlingOptions): void {
  const { dialog, log } = opts;
  const max = opts.maxSubscriptions ?? MAX_REFER_SUBSCRIPTIONS;
  const expiresSeconds = opts.expiresSeconds ?? REFER_EXPIRES_SECONDS;
  const active = new Set<ReferSubscription>();
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
    const report = opts.ended.aborted ? undefined : opts.signaling?.reportOf(req);
    if (!report || report.queued === 0) {
      log.warn({ cseq, referTo: referTo.uri }, 'REFER declined: no signaling-event rule reports it, and the engine does not transfer calls on its own');
      answer(res, 603);
      return;
    }
    if (msg.headers['refer-sub']?.trim().toLowerCase() === 'false') {
      log.info({ cseq, referTo: referTo.uri }, 'REFER accepted without a subscription (Refer-Sub: false)');
      answer(res, 202, undefined, { 'Refer-Sub': 'false' });
      return;
    }
    if (active.size >= max) {
      log.warn({ cseq, referTo: referTo.uri, active: active.size }, 'REFER declined: too many REFER subscriptions in the call');
      answer(res, 603);
      return;
    }
    answer(res, 202);
    log.info({ cseq, referTo: referTo.uri, events: report.queued }, 'REFER accepted: the application decides');
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
    void report.outcome.then((outcome) => {
      log.info({ cseq, referTo: referTo.uri, outcome }, outcome === 'instructions' ? 'REFER taken on by the application' : 'REFER not taken on by the application');
      subscription.finish(outcome === 'instructions' ? 200 : 603);
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
}
