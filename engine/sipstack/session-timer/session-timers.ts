import type { SipHeaders } from '../message/headers.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { Dialog } from '../dialog/dialog.js';
import type { CoreState } from '../core/core-state.js';
import { sendBye } from '../core/dialog-requests.js';
import type { TimerHandle, TimerService } from '../transaction/timer-service.js';
import { decorateRequest, negotiateAsUac, negotiateAsUas, type Negotiated, type SessionTimerOptions } from './negotiation.js';
import { sendRefreshInvite, type RefreshOutcome } from './refresh-request.js';

/** The session timer of one dialog (kept on the dialog). */
export interface SessionTimerState extends Negotiated {
  /** The pending entry in the scheduler; none while a refresh is on its way. */
  handle?: TimerHandle;
}

/**
 * What the BYE says when a session expires. drachtio-server writes
 * `SIP ;cause=200 ;text="Session timer expired"` (its SIP stack prints it
 * without the spaces), and drachtio-srf hands the text to the Dialog's
 * `destroy` listeners as the reason.
 */
export const SESSION_EXPIRED_REASON = 'SIP;cause=200;text="Session timer expired"';

/**
 * RFC 4028 session timers of every dialog of the server, on the stack's one
 * scheduler: the refresher's re-INVITE at half the interval (§7.2, §9), and
 * the BYE when the other side was the refresher and no refresh came
 * (§10: "at the time ... minus the minimum of 32 seconds and one third of
 * the session interval" before the session expires). The core calls in at
 * the points where a session interval is negotiated.
 */
export class SessionTimers {
  private active = 0;

  constructor(
    readonly options: SessionTimerOptions,
    private readonly timers: TimerService,
    private readonly core: () => CoreState,
  ) {}

  /** Dialogs with a running session timer. */
  get size(): number {
    return this.active;
  }

  /** Our Min-SE (RFC 4028 §5), seconds. */
  get minSE(): number {
    return this.options.minSE;
  }

  /** The timer a dialog runs now, if any. */
  current(dialog: Dialog): Negotiated | undefined {
    const s = dialog.sessionTimer;
    return s ? { interval: s.interval, weRefresh: s.weRefresh } : undefined;
  }

  /** An INVITE/UPDATE the application sends (new, or inside `dialog`): RFC 4028 §7.1, §7.4 headers. */
  decorateOutgoing(req: SipRequest, dialog?: Dialog): void {
    decorateRequest(req, this.options, dialog ? this.current(dialog) : undefined);
  }

  /**
   * A 2xx the application answers an INVITE/UPDATE with (§9): completes its
   * headers before it is sent. Call `answered` with the dialog once it is.
   */
  prepareAnswer(req: SipRequest, res: SipResponse, dialog?: Dialog): Negotiated | undefined {
    if ((req.method !== 'INVITE' && req.method !== 'UPDATE') || res.status < 200 || res.status >= 300) return undefined;
    if (!dialog && req.method !== 'INVITE') return undefined;
    return negotiateAsUas(req, res, this.options, dialog ? this.current(dialog) : undefined);
  }

  /** The 2xx went out: §10 "the session timer is (re)started upon sending the 2xx". */
  answered(dialog: Dialog, res: SipResponse, negotiated: Negotiated | undefined): void {
    this.rememberSdp(dialog, res.headers, res.body);
    this.run(dialog, negotiated);
  }

  /** A 2xx from the network to an INVITE/UPDATE the application sent (§7.2), `sent` being that request. */
  answerReceived(dialog: Dialog, sent: SipRequest, res: SipResponse, initial: boolean): void {
    this.rememberSdp(dialog, sent.headers, sent.body);
    this.run(dialog, negotiateAsUac(res, this.options, initial ? undefined : this.current(dialog)));
  }

  /** A session description we sent in the dialog (an ACK's, for a late offer): the one a refresh repeats. */
  rememberSdp(dialog: Dialog, headers: SipHeaders, body: Buffer): void {
    if (body.length === 0) return;
    const type = headers.get('content-type') ?? 'application/sdp';
    if (!/^\s*application\/sdp\b/i.test(type)) return;
    dialog.localSdp = { body, contentType: type };
  }

  /** Starts (or restarts, or with undefined stops) a dialog's session timer. */
  run(dialog: Dialog, negotiated: Negotiated | undefined): void {
    this.stop(dialog);
    if (!negotiated || negotiated.interval <= 0) return;
    const state: SessionTimerState = { interval: negotiated.interval, weRefresh: negotiated.weRefresh };
    dialog.sessionTimer = state;
    this.active++;
    this.core().log.debug({ callId: dialog.callId, interval: state.interval, refresher: state.weRefresh ? 'us' : 'them' }, 'session timer set');
    this.arm(dialog, state);
  }

  /** Stops a dialog's timer (the dialog ended, or the session timer was negotiated away). */
  stop(dialog: Dialog): void {
    const s = dialog.sessionTimer;
    if (!s) return;
    this.timers.cancel(s.handle);
    s.handle = undefined;
    dialog.sessionTimer = undefined;
    this.active--;
  }

  private arm(dialog: Dialog, state: SessionTimerState, delayMs?: number): void {
    const seconds = state.weRefresh
      ? state.interval / 2 // §7.2 / §9: "a good choice is ... half the session interval"
      : state.interval - Math.min(32, state.interval / 3); // §10
    state.handle = this.timers.schedule(delayMs ?? seconds * 1000, () => this.fire(dialog, state));
  }

  private fire(dialog: Dialog, state: SessionTimerState): void {
    state.handle = undefined;
    const core = this.core();
    if (dialog.sessionTimer !== state || core.dialogs.get(dialog.id) !== dialog) return;
    if (!state.weRefresh) {
      core.log.info({ callId: dialog.callId, interval: state.interval }, 'session not refreshed in time; ending it with BYE');
      this.end(dialog);
      return;
    }
    if (this.busy(dialog)) {
      // One INVITE at a time in a dialog (RFC 3261 §14.1): try again shortly.
      this.arm(dialog, state, Math.min(2000, (state.interval * 1000) / 4));
      return;
    }
    core.log.debug({ callId: dialog.callId }, 'sending session refresh');
    sendRefreshInvite(core, dialog, state, this.options, (outcome) => this.refreshed(dialog, state, outcome)).catch((err: Error) => {
      core.log.warn({ callId: dialog.callId, err: err.message }, 'could not send session refresh');
      this.refreshed(dialog, state, { kind: 'failed', status: 503 });
    });
  }

  private refreshed(dialog: Dialog, state: SessionTimerState, outcome: RefreshOutcome): void {
    const core = this.core();
    if (dialog.sessionTimer !== state || core.dialogs.get(dialog.id) !== dialog) return;
    switch (outcome.kind) {
      case 'refreshed':
        this.run(dialog, outcome.timer);
        return;
      case 'glare':
        // RFC 3261 §14.1: retry after a randomly chosen 2.1 to 4 seconds (sooner for short tests).
        this.arm(dialog, state, Math.min(2100 + Math.random() * 1900, (state.interval * 1000) / 4));
        return;
      case 'too-small':
        // RFC 4028 §7.4: the refresh is sent again with a Session-Expires of at least the peer's Min-SE.
        // The 422's Min-SE is above the interval sent, so this cannot repeat for ever.
        core.log.info({ callId: dialog.callId, from: state.interval, to: outcome.minSE }, 'session refresh refused as too short; sending it again');
        state.interval = outcome.minSE;
        this.fire(dialog, state);
        return;
      case 'failed':
        core.log.info({ callId: dialog.callId, status: outcome.status }, 'session refresh failed; ending the dialog with BYE');
        this.end(dialog);
    }
  }

  /** BYE with the Reason drachtio-server writes; the application hears of it as drachtio-srf expects. */
  private end(dialog: Dialog): void {
    const core = this.core();
    this.stop(dialog);
    sendBye(core, dialog, 'unsolicited', SESSION_EXPIRED_REASON).catch((err: Error) =>
      core.log.warn({ callId: dialog.callId, err: err.message }, 'could not send BYE for expired session'),
    );
  }

  /** An INVITE of this dialog still in progress, in either direction, or a 2xx not yet ACKed. */
  private busy(dialog: Dialog): boolean {
    if (dialog.pendingAckSeq !== undefined) return true;
    // The dialog's own index, not a scan of every pending transaction of the server.
    for (const t of dialog.invites ?? []) {
      if (!('source' in t) || !t.tx.hasFinalResponse) return true; // ours awaiting its final response, or theirs unanswered
    }
    return false;
  }
}
