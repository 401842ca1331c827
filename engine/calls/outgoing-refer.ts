import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { ReferredCallStatus, ReferSendOutcome } from '../../instructions/runtime/call-control.js';
import { kindOfFinalStatus } from '../outbound/call-outcome.js';
import { REFER_EXPIRES_SECONDS } from './refer-handler.js';
import { isSipfrag, parseEvent, parseSubscriptionState, sipfragStatus } from './refer-notify.js';

/**
 * RFC 3515 2.4.4: the party that accepts a REFER sends a NOTIFY at once.
 * One that has not come within a transaction's lifetime (64 x T1, 32 s)
 * is not coming: the wait ends (Twilio documents no value of its own).
 */
export const FIRST_NOTIFY_WAIT_MS = 32_000;
/**
 * After a NOTIFY that is not final, the wait lasts as long as the
 * subscription does (its Subscription-State expires, RFC 6665 4.1.2.4),
 * or as long as the engine's own REFER subscriptions when it names none,
 * and never longer than this.
 */
export const MAX_SUBSCRIPTION_WAIT_SECONDS = 300;

export interface OutgoingReferOptions {
  dialog: Srf.Dialog;
  /** The Refer-To URI, its header part included; sent inside <...> (RFC 3515 2.1). */
  referTo: string;
  /** Who asks (RFC 3892 Referred-By): this side's URI in the dialog. */
  referredBy?: string;
  /** More headers of the REFER (X-). */
  headers: Readonly<Record<string, string>>;
  signal: AbortSignal;
  log: Logger;
  firstNotifyMs?: number;
  maxSubscriptionWaitSeconds?: number;
}

/** drachtio-srf's response to an incoming request, as far as answering goes. */
type Reply = Pick<Srf.SrfResponse, 'send'>;

function referredCallStatus(status: number): ReferredCallStatus {
  return status < 300 ? 'in-progress' : kindOfFinalStatus(status);
}

/**
 * This side's URI in the dialog, for Referred-By: the To of an INVITE it
 * received (an inbound call), the From of one it sent (a call it placed).
 */
export function localUri(dialog: Srf.Dialog): string | undefined {
  try {
    return dialog.req.getParsedHeader(dialog.type === 'uas' ? 'To' : 'From').uri || undefined;
  } catch {
    return undefined;
  }
}

function cseqNumber(res: Srf.SrfResponse): string | undefined {
  return /^\s*(\d+)/.exec(res.get('CSeq') ?? '')?.[1];
}

/**
 * Sends a REFER (RFC 3515) in `dialog` and follows its implicit
 * subscription until the outcome is known:
 * - a non-2xx final response: `refused`, with its status;
 * - a NOTIFY whose sipfrag is a final status (>= 200): `final`, with the
 *   referred call's status (200 in-progress; 486, 600, 603 busy; 408, 480
 *   no-answer; any other failed, as the engine's own calls map them);
 * - a NOTIFY with Subscription-State terminated and no final status, or a
 *   2xx with `Refer-Sub: false` (RFC 4488: no NOTIFY comes): `terminated`;
 * - no NOTIFY in time (FIRST_NOTIFY_WAIT_MS, then the subscription's
 *   expires): `timeout`;
 * - a NOTIFY whose body is not a message/sipfrag Status-Line: answered
 *   400 (415 for another content type) and `malformed`;
 * - the signal (hangup, redirect): `stopped`.
 * NOTIFYs are answered 200 while the REFER is followed, one for another
 * refer subscription of the dialog (another id) 481 (RFC 6665 4.1.3);
 * NOTIFYs of other event packages get 200, as the dialog would give them.
 */
export function sendRefer(opts: OutgoingReferOptions): Promise<ReferSendOutcome> {
  const { dialog, signal, log } = opts;
  const firstNotifyMs = opts.firstNotifyMs ?? FIRST_NOTIFY_WAIT_MS;
  const maxWaitSeconds = opts.maxSubscriptionWaitSeconds ?? MAX_SUBSCRIPTION_WAIT_SECONDS;
  if (signal.aborted) return Promise.resolve({ end: 'stopped' });

  return new Promise<ReferSendOutcome>((resolve) => {
    let referStatus: number | undefined;
    let notifyStatus: number | undefined;
    let accepted = false;
    let cseq: string | undefined;
    /** An outcome the NOTIFYs gave before the REFER's own 2xx arrived (they may overtake it on UDP). */
    let early: ReferSendOutcome['end'] | undefined;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    /** How long the last NOTIFY that went on said the subscription lasts, in ms. */
    let lasts: number | undefined;

    const finish = (endedBy: ReferSendOutcome['end']): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      dialog.off('notify', onNotify);
      signal.removeEventListener('abort', onAbort);
      const final = endedBy === 'final' && notifyStatus !== undefined;
      resolve({
        end: endedBy,
        ...(referStatus === undefined ? {} : { referStatus }),
        ...(notifyStatus === undefined ? {} : { notifyStatus }),
        ...(final ? { referredCall: referredCallStatus(notifyStatus!) } : {}),
      });
    };
    const conclude = (endedBy: ReferSendOutcome['end']): void => {
      if (accepted) finish(endedBy);
      else early ??= endedBy;
    };
    const wait = (ms: number): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        log.warn({ referStatus, notifyStatus }, 'REFER: no final NOTIFY in time, the wait ends');
        finish('timeout');
      }, ms);
    };
    const onAbort = (): void => finish('stopped');

    function onNotify(req: Srf.SrfRequest, res: Reply): void {
      try {
        const event = parseEvent(req.get('Event'));
        if (event.pkg !== 'refer') {
          res.send(200);
          return;
        }
        // RFC 3515 2.4.6: a NOTIFY naming another REFER's CSeq is of a subscription this one is not.
        if (event.id !== undefined && cseq !== undefined && event.id !== cseq) {
          res.send(481);
          return;
        }
        const state = parseSubscriptionState(req.get('Subscription-State'));
        const body = req.body ?? '';
        const noBody = body.trim() === '';
        const status = noBody ? undefined : sipfragStatus(body);
        if (!noBody && !isSipfrag(req.get('Content-Type'))) {
          log.warn({ contentType: req.get('Content-Type') }, 'REFER: a NOTIFY without a message/sipfrag body: the transfer counts as failed');
          res.send(415);
          conclude('malformed');
          return;
        }
        // A body is required (RFC 3515 2.4.5) but a terminated subscription may end without one.
        if (status === undefined && !(noBody && state.state === 'terminated')) {
          log.warn({ body: body.slice(0, 200) }, 'REFER: a NOTIFY whose sipfrag is not a SIP status line: the transfer counts as failed');
          res.send(400, 'Bad sipfrag', {});
          conclude('malformed');
          return;
        }
        res.send(200);
        if (status !== undefined) notifyStatus = status;
        log.info({ sipfrag: status, subscriptionState: state.state }, 'REFER: NOTIFY received');
        if (status !== undefined && status >= 200) conclude('final');
        else if (state.state === 'terminated') conclude('terminated');
        else {
          lasts = Math.max(1, Math.min(state.expires ?? REFER_EXPIRES_SECONDS, maxWaitSeconds)) * 1000;
          if (accepted) wait(lasts);
        }
      } catch (err) {
        log.error({ reason: err instanceof Error ? err.message : String(err) }, 'REFER: a NOTIFY could not be handled');
        conclude('malformed');
      }
    }

    // Listening first: a NOTIFY may arrive before the REFER's own response.
    dialog.on('notify', onNotify);
    signal.addEventListener('abort', onAbort, { once: true });
    const headers: Record<string, string> = { ...opts.headers, 'Refer-To': `<${opts.referTo}>` };
    if (opts.referredBy) headers['Referred-By'] = `<${opts.referredBy}>`;
    log.info({ referTo: opts.referTo }, 'sending REFER');
    dialog.request({ method: 'REFER', headers } as unknown as Srf.SrfRequest).then(
      (res) => {
        if (done) return;
        referStatus = res.status;
        if (res.status < 200 || res.status >= 300) {
          log.warn({ status: res.status }, 'REFER refused');
          finish('refused');
          return;
        }
        accepted = true;
        cseq = cseqNumber(res);
        log.info({ status: res.status }, 'REFER accepted');
        if (early !== undefined) finish(early);
        // RFC 4488 4: with Refer-Sub: false no subscription is made and no NOTIFY comes.
        else if (res.get('Refer-Sub')?.trim().toLowerCase() === 'false') finish('terminated');
        else wait(lasts ?? firstNotifyMs);
      },
      (err: unknown) => {
        log.warn({ reason: err instanceof Error ? err.message : String(err) }, 'REFER could not be sent');
        finish('refused');
      },
    );
  });
}
