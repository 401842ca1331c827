import type Srf from 'drachtio-srf';
import type { Endpoint } from '../../media/types.js';
import type { RejectReason } from '../../instructions/verbs/reject.js';
import { SipCallBase, type SipCallBaseDeps } from './sip-call-base.js';

/**
 * The interpreter's view of a call the engine placed, once the called
 * party answered: a REST-created call running its document, or a Dial leg
 * running its whisper. It is answered already; hanging up sends BYE.
 */
export class OutboundCallControl extends SipCallBase {
  constructor(deps: SipCallBaseDeps, dialog: Srf.Dialog, endpoint: Endpoint) {
    super(deps);
    // We sent the ACK ourselves: no wait before a BYE.
    this.attachDialog(dialog, endpoint, { answerInAck: false, waitForAck: false });
  }

  get media(): Endpoint {
    return this.endpoint!;
  }

  answer(): Promise<Endpoint> {
    return Promise.resolve(this.endpoint!);
  }

  earlyMedia(): Promise<Endpoint> {
    return this.answer();
  }

  /** An answered call cannot be rejected: <Reject> in its document is ignored, as Twilio does. */
  reject(reason: RejectReason): Promise<void> {
    this.log.warn({ reason }, '<Reject> on an answered call is ignored');
    return Promise.resolve();
  }

  async hangup(): Promise<void> {
    await this.endCall();
  }

  /** Ends the call if it is still up and frees its media. */
  async release(): Promise<void> {
    await this.endCall();
    if (!this.abort.signal.aborted) this.abort.abort();
    if (this.endpoint && !this.endpoint.destroyed) await this.endpoint.destroy().catch(() => undefined);
    // The endpoint's end ended the call's recordings: their files and records are written before the call is over.
    await this.recordings.settled();
  }
}
