import { randomBytes } from 'node:crypto';
import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { Account, Application } from '../../config/engine-config.js';
import { MediaError } from '../../media/errors.js';
import type { Endpoint, MediaServer } from '../../media/types.js';
import type { RejectReason } from '../../instructions/verbs/reject.js';
import {
  AnswerError,
  type CallControl,
  type NextDocumentOutcome,
  type NextDocumentRequest,
  type Notification,
  type RecordingTarget,
} from '../../instructions/runtime/call-control.js';
import { recordingPath } from '../http/recordings-route.js';
import type { WebhookClient } from '../webhooks/webhook-client.js';
import type { StatusCallbackSender } from '../webhooks/status-callback.js';
import type { WebhookError } from '../webhooks/error-codes.js';
import type { CallSession } from './call-session.js';
import type { StatusEvents } from './status-events.js';

export interface SipCallDeps {
  srf: Srf;
  req: Srf.SrfRequest;
  res: Srf.SrfResponse;
  session: CallSession;
  app: Application;
  account: Account;
  media: MediaServer;
  webhooks: WebhookClient;
  statusSender: StatusCallbackSender;
  status: StatusEvents;
  recordings: { dir: string; baseUrl: string };
  log: Logger;
}

/** Longest wait for the ACK of our 200 OK before a BYE is sent anyway. */
const ACK_WAIT_MS = 4000;

/** SIP status for a media failure while answering (RFC 3261 21.4.26: 488 Not Acceptable Here). */
function answerFailureStatus(err: unknown): number {
  if (err instanceof MediaError) {
    if (err.code === 'incompatible-codecs' || err.code === 'bad-sdp') return 488;
    if (err.code === 'no-ports') return 503;
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
 * rejects, hangs up, fetches documents with the call's parameters, and turns
 * the caller's BYE or CANCEL into the hangup signal.
 */
export class SipCallControl implements CallControl {
  readonly callSid: string;
  readonly log: Logger;
  /** SIP status of the final response to the INVITE, once sent. */
  sipResponseCode: number | undefined;
  /** The webhook failure that ended the call, for the completed callback. */
  lastWebhookError: WebhookError | undefined;
  private readonly abort = new AbortController();
  private answering: Promise<Endpoint> | undefined;
  private endpoint: Endpoint | undefined;
  private dialog: Srf.Dialog | undefined;
  private documentUrl: string | undefined;
  private hungUpLocally = false;
  private acked: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SipCallDeps) {
    this.callSid = deps.session.sid;
    this.log = deps.log;
  }

  get hangupSignal(): AbortSignal {
    return this.abort.signal;
  }

  get answered(): boolean {
    return this.dialog !== undefined;
  }

  get currentDocumentUrl(): string | undefined {
    return this.documentUrl;
  }

  /** The caller left: CANCEL before answer (canceled) or BYE after (completed). */
  callerGone(status: 'canceled' | 'completed'): void {
    if (this.abort.signal.aborted) return;
    this.log.info({ status }, status === 'canceled' ? 'caller canceled the call' : 'caller hung up');
    this.deps.session.setStatus(status);
    this.abort.abort();
  }

  answer(): Promise<Endpoint> {
    this.answering ??= this.doAnswer();
    return this.answering;
  }

  private async doAnswer(): Promise<Endpoint> {
    const { req, res, srf, session, media, log } = this.deps;
    if (this.abort.signal.aborted) throw new AnswerError('the caller has left');
    let endpoint: Endpoint;
    try {
      endpoint = await media.createEndpoint({ remoteSdp: req.body ? req.body : undefined, callId: session.callId });
    } catch (err) {
      const status = answerFailureStatus(err);
      log.warn({ status, reason: (err as Error).message }, 'media endpoint could not be created');
      if (!this.abort.signal.aborted) {
        sendFinal(res, status, log);
        this.sipResponseCode = status;
        session.setStatus('failed');
      }
      throw new AnswerError(`media: ${(err as Error).message}`, status);
    }
    this.endpoint = endpoint;
    if (this.abort.signal.aborted) {
      await endpoint.destroy();
      throw new AnswerError('the caller has left');
    }
    let dialog: Srf.Dialog;
    try {
      dialog = await srf.createUAS(req, res, { localSdp: endpoint.localSdp });
    } catch (err) {
      await endpoint.destroy();
      if (!this.abort.signal.aborted) session.setStatus('failed');
      throw new AnswerError(`answer failed: ${String((err as Error).message ?? err)}`);
    }
    this.dialog = dialog;
    this.sipResponseCode = 200;
    this.acked = new Promise<void>((resolveAck) => dialog.once('ack', () => resolveAck()));
    dialog.on('destroy', () => this.callerGone('completed'));
    dialog.on('ack', (ack) => {
      // RFC 3264 5: without an offer in the INVITE, ours went in the 200 and the answer comes in the ACK.
      if (!req.body && ack.body) endpoint.modify(ack.body).catch((e: unknown) => log.warn({ reason: (e as Error).message }, 'SDP in ACK refused'));
    });
    dialog.on('modify', (reinvite, reply) => {
      endpoint.modify(reinvite.body).then(
        (sdp) => reply.send(200, { body: sdp, headers: { 'Content-Type': 'application/sdp' } }),
        (e: unknown) => {
          log.warn({ reason: (e as Error).message }, 're-INVITE refused');
          reply.send(488);
        },
      );
    });
    if (this.abort.signal.aborted) throw new AnswerError('the caller has left');
    session.setStatus('in-progress');
    log.info('call answered');
    this.deps.status.send('answered', session);
    return endpoint;
  }

  async reject(reason: RejectReason): Promise<void> {
    const { res, session, log } = this.deps;
    // RFC 3261 21.4.24 486 Busy Here; 21.6.2 603 Decline.
    const status = reason === 'busy' ? 486 : 603;
    if (this.abort.signal.aborted || this.answering) return;
    sendFinal(res, status, log);
    this.sipResponseCode = status;
    session.setStatus(reason === 'busy' ? 'busy' : 'no-answer');
    log.info({ status, reason }, 'call rejected');
    return Promise.resolve();
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

  /** Sends BYE (when the dialog is up and the caller has not left) and marks the call completed. */
  private async endCall(): Promise<void> {
    const dialog = this.dialog;
    if (!dialog || this.hungUpLocally || this.abort.signal.aborted) return;
    this.hungUpLocally = true;
    this.deps.session.setStatus('completed');
    // RFC 3261 15: the callee does not send BYE before the ACK for its 2xx arrived (or a bounded wait passed).
    await this.ackOrTimeout();
    if (this.abort.signal.aborted) return;
    this.log.info('hanging up');
    await new Promise<void>((resolve) => {
      dialog.destroy(undefined, (err: unknown) => {
        if (err) this.log.warn({ reason: String(err) }, 'BYE failed');
        resolve();
      });
    });
  }

  private async ackOrTimeout(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.acked,
      new Promise<void>((r) => {
        timer = setTimeout(r, ACK_WAIT_MS);
        this.abort.signal.addEventListener('abort', () => r(), { once: true });
      }),
    ]);
    clearTimeout(timer);
  }

  async fetchNext(req: NextDocumentRequest, opts: { afterHangup?: boolean } = {}): Promise<NextDocumentOutcome> {
    const { app, account, session, webhooks } = this.deps;
    const params = { ...session.webhookParams(), ...req.params };
    const result = await webhooks.fetchInstructions(
      {
        url: req.url,
        method: req.method,
        params,
        fallbackUrl: app.fallbackUrl,
        fallbackMethod: app.fallbackMethod,
        retry: app.retry,
        timeouts: app.timeouts,
        authToken: account.authToken,
      },
      opts.afterHangup ? undefined : this.abort.signal,
    );
    if ('document' in result) {
      this.documentUrl = result.url;
      for (const w of result.document.warnings) this.log.debug({ url: result.url, warning: w.message, element: w.element }, 'instructions warning');
      return { document: result.document, url: result.url };
    }
    if (!this.abort.signal.aborted) {
      this.lastWebhookError = result.error;
      this.log.error({ url: result.error.url, code: result.error.code, reason: result.error.message }, 'instructions could not be fetched');
    }
    return { error: `${result.error.code}: ${result.error.message}`, url: result.error.url };
  }

  newRecording(): RecordingTarget {
    const sid = `RE${randomBytes(16).toString('hex')}`;
    const { dir, baseUrl } = this.deps.recordings;
    return { sid, path: recordingPath(dir, sid), url: `${baseUrl}/recordings/${sid}` };
  }

  notify(n: Notification): void {
    // A key of its own, so that the call's status callbacks keep their numbering.
    const key = `${this.callSid}:${n.params.RecordingSid ?? randomBytes(4).toString('hex')}`;
    this.deps.statusSender.send(key, { url: n.url, method: n.method, params: n.params, authToken: this.deps.account.authToken }, { last: true });
  }

  /**
   * Releases everything once the interpreter is done: a final response if
   * none was sent, BYE if the dialog is still up, the media endpoint.
   */
  async release(opts: { shutdown?: boolean } = {}): Promise<void> {
    const { res, session, log } = this.deps;
    if (!this.answering && !this.abort.signal.aborted && !res.finalResponseSent) {
      // RFC 3261 21.5.4 503 Service Unavailable when the engine stops; 500 otherwise.
      const status = opts.shutdown ? 503 : 500;
      sendFinal(res, status, log);
      this.sipResponseCode = status;
      session.setStatus('failed');
    }
    if (this.answering) await this.answering.catch(() => undefined);
    if (this.dialog && !this.abort.signal.aborted) await this.endCall();
    if (!this.abort.signal.aborted) this.abort.abort();
    if (this.endpoint && !this.endpoint.destroyed) await this.endpoint.destroy().catch(() => undefined);
  }

  /**
   * Ends the call from the engine's side (engine stopping): BYE when it is
   * up, 503 Service Unavailable (RFC 3261 21.5.4) when it was not answered.
   */
  async shutdown(): Promise<void> {
    if (this.abort.signal.aborted) return;
    const { res, session, log } = this.deps;
    if (!this.answering && !res.finalResponseSent) {
      sendFinal(res, 503, log);
      this.sipResponseCode = 503;
      session.setStatus('failed');
    }
    if (this.answering) await this.answering.catch(() => undefined);
    if (this.dialog) await this.endCall();
    this.abort.abort();
  }
}
