import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';

/** The reason phrases of the status lines a refer subscription reports. */
const REASONS: Readonly<Record<number, string>> = { 100: 'Trying', 200: 'OK', 603: 'Declined' };

/** A sipfrag (RFC 3420) holding only a Status-Line, as RFC 3515 2.4.5 asks of a NOTIFY body. */
export function statusFragment(status: number): string {
  return `SIP/2.0 ${status} ${REASONS[status] ?? 'Unknown'}\r\n`;
}

export interface ReferSubscriptionOptions {
  dialog: Srf.Dialog;
  /** The Event header of its NOTIFYs: `refer`, or `refer;id=<CSeq>` for the later REFERs of a dialog (RFC 3515 2.4.6). */
  event: string;
  /** Seconds the subscription lasts unless a final state comes first. */
  expiresSeconds: number;
  /** The call ended: nothing is sent any more. */
  ended: AbortSignal;
  log: Logger;
  /** Called once when the subscription is over (final NOTIFY sent, failed, expired, or the call ended). */
  onTerminated: () => void;
}

/** drachtio-srf's Dialog: `connected` turns false once it is destroyed (BYE sent or received). */
const dialogUp = (dialog: Srf.Dialog): boolean => (dialog as unknown as { connected?: boolean }).connected !== false;

/**
 * The implicit subscription a REFER creates (RFC 3515 2.4.4): NOTIFYs with
 * Event refer and a message/sipfrag body telling how the referenced request
 * goes, one at a time in order (each waits for the previous one's answer),
 * and a final one with Subscription-State terminated (RFC 6665 4.2.2).
 * A NOTIFY that fails (481, timeout, any non-2xx) ends the subscription: the
 * subscriber is gone (RFC 6665 4.2.2). Nothing is sent once the call ended.
 */
export class ReferSubscription {
  private chain: Promise<void> = Promise.resolve();
  private over = false;
  /** A NOTIFY failed: the subscriber is gone, the ones queued behind it are not sent. */
  private failed = false;
  private readonly expiry: NodeJS.Timeout;
  private readonly deadline: number;

  constructor(private readonly opts: ReferSubscriptionOptions) {
    this.deadline = Date.now() + opts.expiresSeconds * 1000;
    this.expiry = setTimeout(() => this.expire(), opts.expiresSeconds * 1000);
    this.expiry.unref();
    if (opts.ended.aborted) this.terminate();
    else opts.ended.addEventListener('abort', this.onCallEnded, { once: true });
  }

  /** The call ended; removed once the subscription is over, so a long call's REFERs leave nothing behind. */
  private readonly onCallEnded = (): void => this.terminate();

  get active(): boolean {
    return !this.over;
  }

  /** RFC 3515 2.4.4: the first NOTIFY, sent at once after the 202: the request is being tried. */
  trying(): void {
    this.notify(100, this.activeState());
  }

  /** The final state: 200 (the transfer was taken on) or 603 (declined); the subscription ends (reason noresource, RFC 6665 4.2.2). */
  finish(status: 200 | 603): void {
    this.notify(status, 'terminated;reason=noresource', true);
  }

  /** RFC 6665 4.2.2: the subscription expired before a final state; the last NOTIFY says so. */
  private expire(): void {
    if (this.over) return;
    this.opts.log.warn({ event: this.opts.event }, 'REFER subscription expired before its outcome was known');
    this.notify(100, 'terminated;reason=timeout', true);
  }

  private activeState(): string {
    const left = Math.max(1, Math.round((this.deadline - Date.now()) / 1000));
    return `active;expires=${left}`;
  }

  private notify(status: number, state: string, final = false): void {
    const { dialog, event, ended, log } = this.opts;
    const sipfrag = statusFragment(status);
    const skipped = (): void => log.debug({ event, sipfrag: sipfrag.trim() }, 'REFER subscription over: NOTIFY not sent');
    if (this.over) {
      skipped();
      return;
    }
    if (final) this.terminate();
    this.chain = this.chain.then(async () => {
      if (this.failed || ended.aborted || !dialogUp(dialog)) {
        skipped();
        return;
      }
      try {
        const res = await dialog.request({
          method: 'NOTIFY',
          headers: { Event: event, 'Subscription-State': state, 'Content-Type': 'message/sipfrag;version=2.0' },
          body: sipfrag,
        } as unknown as Srf.SrfRequest);
        if (res.status < 200 || res.status >= 300) {
          log.warn({ event, sipfrag: sipfrag.trim(), status: res.status }, 'NOTIFY of a REFER refused: the subscription ends');
          this.failed = true;
          this.terminate();
        }
      } catch (err) {
        log.warn({ event, sipfrag: sipfrag.trim(), reason: err instanceof Error ? err.message : String(err) }, 'NOTIFY of a REFER not sent: the subscription ends');
        this.failed = true;
        this.terminate();
      }
    });
  }

  private terminate(): void {
    clearTimeout(this.expiry);
    this.opts.ended.removeEventListener('abort', this.onCallEnded);
    if (this.over) return;
    this.over = true;
    this.opts.onTerminated();
  }

  /** Resolves when every NOTIFY asked for so far has been answered or given up. */
  settled(): Promise<void> {
    return this.chain;
  }
}
