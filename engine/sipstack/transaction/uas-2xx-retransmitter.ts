/**
 * The UAS core's retransmission of a 2xx to INVITE (RFC 3261 §13.3.1.4),
 * which RFC 6026 keeps out of the server transaction itself.
 *
 * "The 2xx response is passed to the transport with an interval that starts
 * at T1 seconds and doubles for each retransmission until it reaches T2
 * seconds ... Response retransmissions cease when an ACK request for the
 * response is received. This is independent of whatever transport protocols
 * are used to send the response." (the hops beyond the UAS may be UDP, so
 * this runs on TCP too) and "If the server retransmits the 2xx
 * response for 64*T1 seconds without receiving an ACK, the dialog is
 * confirmed, but the session SHOULD be terminated. This is accomplished with
 * a BYE".
 */
import type { TimerHandle, TimerService } from './timer-service.js';

export interface Uas2xxRetransmitterOptions {
  timers: TimerService;
  t1: number;
  t2: number;
  /** 64*T1: how long to wait for the ACK. */
  giveUpAfter: number;
  /** Passes the 2xx to the transport once more. */
  retransmit(): void;
  /** No ACK within 64*T1: the TU should end the session with BYE. */
  onUnacknowledged(): void;
}

export class Uas2xxRetransmitter {
  private retransmitTimer: TimerHandle | undefined;
  private giveUpTimer: TimerHandle | undefined;
  private running = false;
  /** Retransmissions made so far (the first send is the TU's, not counted). */
  retransmissions = 0;

  constructor(private readonly opts: Uas2xxRetransmitterOptions) {}

  /** Starts after the 2xx was first sent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.arm(this.opts.t1);
    this.giveUpTimer = this.opts.timers.schedule(this.opts.giveUpAfter, () => {
      this.giveUpTimer = undefined;
      this.giveUp();
    });
  }

  get active(): boolean {
    return this.running;
  }

  /** The dialog layer matched the ACK for this 2xx: stop retransmitting. */
  ackReceived(): void {
    this.stop();
  }

  /** Ends now as if 64*T1 had passed without an ACK (no-op once stopped). */
  giveUp(): void {
    if (!this.running) return;
    this.stop();
    this.opts.onUnacknowledged();
  }

  /** Stops without telling anyone (the transaction is being torn down). */
  stop(): void {
    this.running = false;
    this.opts.timers.cancel(this.retransmitTimer);
    this.opts.timers.cancel(this.giveUpTimer);
    this.retransmitTimer = undefined;
    this.giveUpTimer = undefined;
  }

  private arm(interval: number): void {
    this.retransmitTimer = this.opts.timers.schedule(interval, () => {
      this.retransmitTimer = undefined;
      if (!this.running) return;
      this.retransmissions++;
      this.opts.retransmit();
      if (this.running) this.arm(Math.min(interval * 2, this.opts.t2));
    });
  }
}
