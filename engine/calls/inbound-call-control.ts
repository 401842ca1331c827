import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import { MediaError } from '../../media/errors.js';
import type { Endpoint } from '../../media/types.js';
import type { RejectReason } from '../../instructions/verbs/reject.js';
import { AnswerError } from '../../instructions/runtime/call-control.js';
import { SipCallBase, type SipCallBaseDeps } from './sip-call-base.js';

export interface InboundCallDeps extends SipCallBaseDeps {
  req: Srf.SrfRequest;
  res: Srf.SrfResponse;
}

/** SIP status for a media failure while answering (RFC 3261 21.4.26: 488 Not Acceptable Here). */
function answerFailureStatus(err: unknown): number {
  if (err instanceof MediaError) {
    if (err.code === 'incompatible-codecs' || err.code === 'bad-sdp') return 488;
    // RFC 3261 21.5.4 503 Service Unavailable: no RTP ports, or no media server reachable.
    if (err.code === 'no-ports' || err.code === 'unavailable') return 503;
  }
  return 500;
}

/** Sends a final response, ignoring a transaction that is already gone. */
function sendFinal(res: Srf.SrfResponse, status: number, log: Logger): void {
  if (res.finalResponseSent) return;
  try {
    res.send(status);
  } catch (err) {
    log.warn({ status, reason: (err as Error).message }, 'final response could not be sent');
  }
}

/**
 * The interpreter's view of one inbound SIP call through drachtio-srf:
 * answers lazily (media endpoint from the caller's SDP, then srf.createUAS),
 * can send early media first (183), rejects, hangs up, and turns the
 * caller's BYE or CANCEL into the hangup signal.
 */
export class InboundCallControl extends SipCallBase {
  private answering: Promise<Endpoint> | undefined;
  private early: Promise<Endpoint> | undefined;

  constructor(private readonly inbound: InboundCallDeps) {
    super(inbound);
  }

  /** SIP status of the final response to the INVITE, once sent. */
  get sipResponseCode(): number | undefined {
    return this.session.sipResponseCode;
  }

  private finalResponse(status: number): void {
    sendFinal(this.inbound.res, status, this.log);
    this.session.sipResponseCode = status;
  }

  /** The caller's media endpoint, made once from the INVITE's SDP; a failure answers the INVITE. */
  private callerEndpoint(): Promise<Endpoint> {
    this.early ??= (async () => {
      const { req, media } = this.inbound;
      if (this.abort.signal.aborted) throw new AnswerError('the caller has left');
      let endpoint: Endpoint;
      try {
        endpoint = await media.createEndpoint({ remoteSdp: req.body ? req.body : undefined, callId: this.session.callId });
      } catch (err) {
        const status = answerFailureStatus(err);
        this.log.warn({ status, reason: (err as Error).message }, 'media endpoint could not be created');
        if (!this.abort.signal.aborted) {
          this.finalResponse(status);
          this.session.setStatus('failed');
        }
        throw new AnswerError(`media: ${(err as Error).message}`, status);
      }
      this.endpoint = endpoint;
      if (this.abort.signal.aborted) {
        await endpoint.destroy();
        throw new AnswerError('the caller has left');
      }
      return endpoint;
    })();
    return this.early;
  }

  async earlyMedia(): Promise<Endpoint> {
    if (this.answering) return this.answering;
    const endpoint = await this.callerEndpoint();
    const { res } = this.inbound;
    // RFC 3261 13.3.1.1 / RFC 3960: a 183 Session Progress with our SDP lets the caller hear us before the answer.
    if (!res.finalResponseSent && !this.abort.signal.aborted) {
      res.send(183, { body: endpoint.localSdp, headers: { 'Content-Type': 'application/sdp' } });
    }
    return endpoint;
  }

  answer(): Promise<Endpoint> {
    this.answering ??= this.doAnswer();
    return this.answering;
  }

  private async doAnswer(): Promise<Endpoint> {
    const { req, res, srf } = this.inbound;
    const { session, log } = this;
    const endpoint = await this.callerEndpoint();
    let dialog: Srf.Dialog;
    try {
      dialog = await srf.createUAS(req, res, { localSdp: endpoint.localSdp });
    } catch (err) {
      await endpoint.destroy();
      if (!this.abort.signal.aborted) session.setStatus('failed');
      throw new AnswerError(`answer failed: ${String((err as Error).message ?? err)}`);
    }
    this.session.sipResponseCode = 200;
    this.attachDialog(dialog, endpoint, { answerInAck: !req.body, waitForAck: true });
    if (this.abort.signal.aborted) throw new AnswerError('the caller has left');
    session.setStatus('in-progress');
    log.info('call answered');
    this.deps.status.send('answered', session);
    return endpoint;
  }

  async reject(reason: RejectReason): Promise<void> {
    // RFC 3261 21.4.24 486 Busy Here; 21.6.2 603 Decline.
    const status = reason === 'busy' ? 486 : 603;
    if (this.abort.signal.aborted || this.answering) return;
    this.finalResponse(status);
    this.session.setStatus(reason === 'busy' ? 'busy' : 'no-answer');
    this.log.info({ status, reason }, 'call rejected');
  }

  async hangup(): Promise<void> {
    if (this.abort.signal.aborted) return;
    if (!this.answered) {
      try {
        await this.answer();
      } catch {
        return;
      }
    }
    await this.endCall();
  }

  /**
   * Ends the call at a program's request (the REST API): BYE when it is up;
   * before the answer, 487 Request Terminated and the call is canceled.
   */
  async endFromApi(): Promise<void> {
    if (this.abort.signal.aborted) return;
    if (!this.answering) {
      // RFC 3261 21.4.25 487: the request was terminated before it was answered.
      this.finalResponse(487);
      this.session.setStatus('canceled');
      this.abort.abort();
      return;
    }
    await this.answering.catch(() => undefined);
    if (this.dialog) await this.endCall();
    this.abort.abort();
  }

  /**
   * Releases everything once the interpreter is done: a final response if
   * none was sent, BYE if the dialog is still up, the media endpoint.
   */
  async release(opts: { shutdown?: boolean } = {}): Promise<void> {
    const { res } = this.inbound;
    if (!this.answering && !this.abort.signal.aborted && !res.finalResponseSent) {
      // RFC 3261 21.5.4 503 Service Unavailable when the engine stops; 500 otherwise.
      this.finalResponse(opts.shutdown ? 503 : 500);
      this.session.setStatus('failed');
    }
    if (this.answering) await this.answering.catch(() => undefined);
    if (this.dialog && !this.abort.signal.aborted) await this.endCall();
    if (!this.abort.signal.aborted) this.abort.abort();
    if (this.early) await this.early.catch(() => undefined);
    if (this.endpoint && !this.endpoint.destroyed) await this.endpoint.destroy().catch(() => undefined);
    // The endpoint's end ended the call's recordings: their files and records are written before the call is over.
    await this.recordings.settled();
  }

  /**
   * Ends the call from the engine's side (engine stopping): BYE when it is
   * up, 503 Service Unavailable (RFC 3261 21.5.4) when it was not answered.
   */
  async shutdown(): Promise<void> {
    if (this.abort.signal.aborted) return;
    if (!this.answering && !this.inbound.res.finalResponseSent) {
      this.finalResponse(503);
      this.session.setStatus('failed');
    }
    if (this.answering) await this.answering.catch(() => undefined);
    if (this.dialog) await this.endCall();
    this.abort.abort();
  }
}
