import type { DialVerb } from '../../../verbs/dial.js';
import type { DialLeg, TransferRequest } from '../../call-control.js';
import type { FetchedDocument, VerbContext } from '../../verb-executor.js';

/**
 * <Dial referUrl>: a REFER from the connected party (its transfer button,
 * RFC 3515) asks the application what to do. referUrl is requested with
 * the caller's call parameters, ReferTransferTarget (the Refer-To URI),
 * DialCallSid and SipHeader_ parameters of the REFER; a document in answer
 * takes the transfer on: the Dial ends (the bridge is torn down, the
 * party gets its final NOTIFY and BYE) and the document runs on the caller
 * instead of the action's. Any other answer declines it and the bridge goes
 * on. One transfer request is asked at a time; a REFER arriving while one
 * is asked for is declined.
 */
export class DialTransfer {
  private readonly taken = new AbortController();
  private document: FetchedDocument | undefined;
  private asking = false;
  private leg: DialLeg | undefined;

  constructor(
    private readonly verb: DialVerb,
    private readonly ctx: VerbContext,
  ) {}

  /** Aborted when a referUrl document took the transfer on: the bridge ends. */
  get signal(): AbortSignal {
    return this.taken.signal;
  }

  /** The referUrl document that runs on the caller once the Dial is over. */
  get fetched(): FetchedDocument | undefined {
    return this.document;
  }

  /** The leg is connected: its REFERs go to referUrl (without one they are declined: the leg's default). */
  attach(leg: DialLeg): void {
    if (this.verb.referUrl === undefined || !leg.onTransfer) return;
    this.leg = leg;
    leg.onTransfer((req) => this.ask(req));
  }

  /** The bridge is over: later REFERs are declined. */
  detach(): void {
    this.leg?.onTransfer?.(undefined);
    this.leg = undefined;
  }

  private async ask(req: TransferRequest): Promise<boolean> {
    const { ctx, verb } = this;
    const leg = this.leg;
    if (verb.referUrl === undefined || !leg || this.asking || this.document || this.taken.signal.aborted) return false;
    this.asking = true;
    try {
      const params = { ReferTransferTarget: req.target, DialCallSid: leg.callSid, ...req.headers };
      ctx.log.info({ referUrl: verb.referUrl, target: req.target, dialCallSid: leg.callSid }, '<Dial> party asks for a transfer: requesting referUrl');
      const outcome = await ctx.control.fetchNext({ url: verb.referUrl, method: verb.referMethod, params });
      if ('error' in outcome) {
        ctx.log.warn({ url: outcome.url, reason: outcome.error }, 'referUrl gave no instructions: the transfer is declined and the bridge goes on');
        return false;
      }
      // The Dial ended meanwhile (a hangup, a redirect, the time limit): nothing left to transfer.
      if (this.leg !== leg || ctx.signal.aborted) return false;
      this.document = outcome;
      // The bridge ends after the engine has seen the answer (and queued the final NOTIFY 200 before the leg's BYE).
      setImmediate(() => this.taken.abort());
      return true;
    } finally {
      this.asking = false;
    }
  }
}
