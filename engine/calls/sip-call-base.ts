import { randomBytes } from 'node:crypto';
import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { Account } from '../../config/engine-config.js';
import { InstructionError, parseInstructions, type HttpMethod } from '../../instructions/index.js';
import {
  isInlineDocument,
  type CallControl,
  type ConferenceJoinOutcome,
  type ConferenceJoinRequest,
  type DequeueOutcome,
  type DequeueRequest,
  type EnqueueOutcome,
  type EnqueueRequest,
  type DialAttempt,
  type DialLegRequest,
  type DocumentSource,
  type NextDocumentOutcome,
  type Notification,
  type RecordingTarget,
  type ReferSendOutcome,
  type ReferSendRequest,
} from '../../instructions/runtime/call-control.js';
import type { RejectReason } from '../../instructions/verbs/reject.js';
import type { Endpoint, MediaServer } from '../../media/types.js';
import type { RecordingRecord } from '../api/call-service.js';
import type { SignalingEvents } from '../signaling-events/call-signaling.js';
import type { EventStream } from '../events/event-stream.js';
import { recordingPath } from '../http/recordings-route.js';
import { CallRecordings } from '../recordings/call-recordings.js';
import type { RecordingStore } from '../recordings/recording-store.js';
import type { WebhookError } from '../webhooks/error-codes.js';
import type { FetchInstructionsRequest, WebhookClient } from '../webhooks/webhook-client.js';
import type { StatusCallbackSender } from '../webhooks/status-callback.js';
import type { CallSession } from './call-session.js';
import { localUri, sendRefer } from './outgoing-refer.js';
import { handleRefers, type ReferDecider, type ReferHandling } from './refer-handler.js';
import type { StatusEvents } from './status-events.js';

/** How a call's documents are fetched: its fallback, retries and timeouts. */
export type CallDocumentSettings = Pick<FetchInstructionsRequest, 'fallbackUrl' | 'fallbackMethod' | 'retry' | 'timeouts'>;

/** Where recordings go, and the list the REST API reads. */
export interface RecordingSink {
  dir: string;
  baseUrl: string;
  store: RecordingStore;
}

/** Places the called parties of a <Dial> for a call. */
export interface LegPlacer {
  /** `near`: the caller's media endpoint, which the leg's is bridged with. */
  place(parent: CallSession, req: DialLegRequest, log: Logger, near?: Endpoint): Promise<DialAttempt>;
}

/** Puts calls in conferences (engine/conferences/conference-service.ts). */
export interface ConferenceJoiner {
  join(
    call: { callSid: string; accountSid: string; control: CallControl; params: () => Readonly<Record<string, string>> },
    req: ConferenceJoinRequest,
  ): Promise<ConferenceJoinOutcome>;
}

/** Call queues (engine/queues/queue-service.ts). */
export interface QueueKeeper {
  enqueue(call: { callSid: string; accountSid: string; control: CallControl; params?: () => Readonly<Record<string, string>> }, req: EnqueueRequest): Promise<EnqueueOutcome>;
  dequeue(accountSid: string, dialer: string, req: DequeueRequest): Promise<DequeueOutcome>;
}

export interface SipCallBaseDeps {
  srf: Srf;
  session: CallSession;
  documents: CallDocumentSettings;
  account: Pick<Account, 'id' | 'authToken'>;
  media: MediaServer;
  webhooks: WebhookClient;
  statusSender: StatusCallbackSender;
  events: EventStream;
  status: StatusEvents;
  recordings: RecordingSink;
  dialer: LegPlacer;
  conferences: ConferenceJoiner;
  queues: QueueKeeper;
  /** Reports chosen SIP messages of the call to the application (engine/signaling-events/). */
  signaling?: SignalingEvents;
  /** Who decides the REFERs received in the call: the signaling-event rules when absent; a <Dial>'s referUrl for its legs. */
  refers?: ReferDecider;
  log: Logger;
}

/** Longest wait for the ACK of our 200 OK before a BYE is sent anyway. */
const ACK_WAIT_MS = 4000;
/** Longest wait for the answer to a REFER's final NOTIFY before a BYE is sent anyway. */
const FINAL_NOTIFY_WAIT_MS = 2000;

/**
 * What every SIP call (inbound, or placed by the engine) does the same way
 * for the interpreter: the hangup signal, the dialog's in-dialog requests
 * (re-INVITE, BYE), ending with BYE, fetching documents with the call's
 * parameters, recordings, notifications and Dial legs.
 */
export abstract class SipCallBase implements CallControl {
  readonly callSid: string;
  readonly log: Logger;
  /** The webhook failure that ended the call, for the completed callback. */
  lastWebhookError: WebhookError | undefined;
  protected readonly abort = new AbortController();
  protected endpoint: Endpoint | undefined;
  protected dialog: Srf.Dialog | undefined;
  protected acked: Promise<void> = Promise.resolve();
  private refers: ReferHandling | undefined;
  private documentUrl: string | undefined;
  private hungUpLocally = false;

  /** The recordings a program started on the call (Calls/{CallSid}/Recordings, Calls.json Record). */
  readonly recordings: CallRecordings;

  constructor(protected readonly deps: SipCallBaseDeps) {
    this.callSid = deps.session.sid;
    this.log = deps.log;
    const { session, account, recordings, statusSender, events, log } = deps;
    const media = (): Endpoint | undefined => this.endpoint;
    this.recordings = new CallRecordings(
      {
        callSid: session.sid,
        accountSid: session.accountSid,
        applicationId: session.applicationId,
        authToken: account.authToken,
        get media() {
          return media();
        },
        newRecording: () => this.newRecording(),
      },
      { store: recordings.store, statusSender, events, log },
    );
  }

  get session(): CallSession {
    return this.deps.session;
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

  abstract answer(): Promise<Endpoint>;
  abstract earlyMedia(): Promise<Endpoint>;
  abstract reject(reason: RejectReason): Promise<void>;
  abstract hangup(): Promise<void>;

  /** The far end left: CANCEL before answer (canceled) or BYE after (completed). */
  partyGone(status: 'canceled' | 'completed'): void {
    if (this.abort.signal.aborted) return;
    this.log.info({ status }, status === 'canceled' ? 'the call was canceled' : 'the other party hung up');
    this.deps.session.setStatus(status);
    this.abort.abort();
  }

  /**
   * Takes the established dialog: its BYE ends the call, a re-INVITE goes
   * to the endpoint (hold, codec change), a REFER to refer-handler.ts, and with `answerInAck` the SDP
   * answer to our offer in the 200 comes in the ACK (RFC 3264 5).
   */
  protected attachDialog(dialog: Srf.Dialog, endpoint: Endpoint, opts: { answerInAck: boolean; waitForAck: boolean }): void {
    const { log } = this;
    this.dialog = dialog;
    this.endpoint = endpoint;
    this.deps.signaling?.watchDialog(this.deps.session, dialog, this.abort.signal);
    // RFC 3515: a REFER is accepted only when the application decides (refer-handler.ts): a signaling-event rule, or a <Dial referUrl>.
    const { session, signaling, refers: decide } = this.deps;
    this.refers = handleRefers({ dialog, call: session, signaling, decide, ended: this.abort.signal, log });
    if (opts.waitForAck) this.acked = new Promise<void>((resolveAck) => dialog.once('ack', () => resolveAck()));
    dialog.on('destroy', () => this.partyGone('completed'));
    endpoint.once('destroy', () => this.mediaGone());
    if (opts.answerInAck) {
      dialog.on('ack', (ack) => {
        if (ack.body) endpoint.modify(ack.body).catch((e: unknown) => log.warn({ reason: (e as Error).message }, 'SDP in ACK refused'));
      });
    }
    dialog.on('modify', (reinvite, reply) => {
      endpoint.modify(reinvite.body).then(
        (sdp) => reply.send(200, { body: sdp, headers: { 'Content-Type': 'application/sdp' } }),
        (e: unknown) => {
          log.warn({ reason: (e as Error).message }, 're-INVITE refused');
          reply.send(488);
        },
      );
    });
  }

  /**
   * The media endpoint ended under the call (its media server restarted or
   * went away): the call cannot go on, so it ends as a hangup would, with BYE
   * and status completed, and the running verb stops.
   */
  private mediaGone(): void {
    if (this.abort.signal.aborted || this.hungUpLocally) return;
    this.log.warn('the media endpoint ended under the call: hanging up');
    void this.endCall().finally(() => {
      if (!this.abort.signal.aborted) this.abort.abort();
    });
  }

  /** Sends BYE (when the dialog is up and the other side has not left) and marks the call completed. */
  protected async endCall(): Promise<void> {
    const dialog = this.dialog;
    if (!dialog || this.hungUpLocally || this.abort.signal.aborted) return;
    this.hungUpLocally = true;
    this.deps.session.setStatus('completed');
    // RFC 3261 15: the callee does not send BYE before the ACK for its 2xx arrived (or a bounded wait passed).
    await this.ackOrTimeout();
    // RFC 3515 2.4.5: a REFER's final NOTIFY, once decided, goes before the BYE that ends its dialog.
    if (this.refers) await this.waitAtMost(this.refers.settled(), FINAL_NOTIFY_WAIT_MS);
    if (this.abort.signal.aborted) return;
    this.log.info('hanging up');
    await new Promise<void>((resolve) => {
      dialog.destroy(undefined, (err: unknown, bye?: Srf.SrfRequest) => {
        if (err) this.log.warn({ reason: String(err) }, 'BYE failed');
        this.deps.signaling?.requestSent(this.deps.session, bye);
        resolve();
      });
    });
  }

  private ackOrTimeout(): Promise<void> {
    return this.waitAtMost(this.acked, ACK_WAIT_MS);
  }

  /** Waits for `event`, at most `ms`, and no longer once the call ended. */
  private async waitAtMost(event: Promise<void>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      event,
      new Promise<void>((r) => {
        timer = setTimeout(r, ms);
        this.abort.signal.addEventListener('abort', () => r(), { once: true });
      }),
    ]);
    clearTimeout(timer);
  }

  async fetchNext(source: DocumentSource, opts: { afterHangup?: boolean } = {}): Promise<NextDocumentOutcome> {
    if (isInlineDocument(source)) return this.parseInline(source.twiml);
    const { documents, account, session, webhooks } = this.deps;
    const params = { ...session.webhookParams(), ...source.params };
    const result = await webhooks.fetchInstructions(
      { url: source.url, method: source.method, params, ...documents, authToken: account.authToken, applicationId: session.applicationId },
      opts.afterHangup ? undefined : this.abort.signal,
    );
    if ('document' in result) {
      this.documentUrl = result.url;
      // Twilio's 12200 "schema validation warning": the document runs without what was left out.
      for (const w of result.document.warnings) {
        this.log.warn({ code: 12200, url: result.url, warning: w.message, element: w.element, attribute: w.attribute }, 'instructions warning');
        this.report('warning', 12200, w.message, { url: result.url, method: source.method ?? 'POST' });
      }
      return { document: result.document, url: result.url };
    }
    if (!this.abort.signal.aborted) {
      this.lastWebhookError = result.error;
      this.log.error({ url: result.error.url, code: result.error.code, reason: result.error.message }, 'instructions could not be fetched');
    }
    return { error: `${result.error.code}: ${result.error.message}`, url: result.error.url };
  }

  /** A warning or error the application should hear of (the call's Notifications). */
  private report(level: 'error' | 'warning', code: number, message: string, request?: { url: string; method: HttpMethod }): void {
    const { session } = this.deps;
    this.deps.events.publish({ type: 'call.notification', at: new Date(), accountSid: session.accountSid, applicationId: session.applicationId, callSid: this.callSid, level, code, message, ...(request ? { request } : {}) });
  }

  /** A document given with the request (Twiml); relative URLs in it resolve against the current document. */
  private parseInline(twiml: string): NextDocumentOutcome {
    const url = this.documentUrl ?? 'inline';
    try {
      return { document: parseInstructions(twiml, { baseUrl: this.documentUrl }), url };
    } catch (err) {
      const code = err instanceof InstructionError ? err.code : 12100;
      this.log.error({ code, reason: (err as Error).message }, 'inline instructions are not valid');
      this.report('error', code, (err as Error).message);
      return { error: `${code}: ${(err as Error).message}`, url };
    }
  }

  newRecording(): RecordingTarget {
    const sid = `RE${randomBytes(16).toString('hex')}`;
    const { dir, baseUrl } = this.deps.recordings;
    return { sid, path: recordingPath(dir, sid), url: `${baseUrl}/recordings/${sid}` };
  }

  recordingSaved(target: RecordingTarget, info: { durationMs: number; channels: 1 | 2; source: RecordingRecord['source'] }): void {
    const now = new Date();
    const record: RecordingRecord = {
      sid: target.sid,
      accountSid: this.deps.session.accountSid,
      callSid: this.callSid,
      dateCreated: now,
      dateUpdated: now,
      startTime: new Date(now.getTime() - info.durationMs),
      durationSeconds: Math.round(info.durationMs / 1000),
      channels: info.channels,
      source: info.source,
      status: 'completed',
      mediaUrl: target.url,
    };
    this.deps.recordings.store.add(record);
    const { session } = this.deps;
    this.deps.events.publish({ type: 'recording.completed', at: now, accountSid: session.accountSid, applicationId: session.applicationId, callSid: this.callSid, recording: record });
  }

  notify(n: Notification): void {
    // A key of its own, so that the call's status callbacks keep their numbering; each is the last so far, and
    // one made while an earlier one of its key is still going out waits behind it.
    const key = `${this.callSid}:${n.params.RecordingSid ?? randomBytes(4).toString('hex')}`;
    const params = { AccountSid: this.deps.session.accountSid, ...n.params };
    const { applicationId } = this.deps.session;
    this.deps.statusSender.send(key, { url: n.url, method: n.method, params, authToken: this.deps.account.authToken, applicationId }, { last: true });
  }

  joinConference(req: ConferenceJoinRequest): Promise<ConferenceJoinOutcome> {
    const { session } = this.deps;
    return this.deps.conferences.join({ callSid: this.callSid, accountSid: session.accountSid, control: this, params: () => session.webhookParams() }, req);
  }

  enqueue(req: EnqueueRequest): Promise<EnqueueOutcome> {
    return this.deps.queues.enqueue({ callSid: this.callSid, accountSid: this.deps.session.accountSid, control: this, params: () => this.deps.session.webhookParams() }, req);
  }

  dequeue(req: DequeueRequest): Promise<DequeueOutcome> {
    return this.deps.queues.dequeue(this.deps.session.accountSid, this.callSid, req);
  }

  placeDialLeg(req: DialLegRequest): Promise<DialAttempt> {
    return this.deps.dialer.place(this.deps.session, req, this.log, this.endpoint);
  }

  /** <Refer>: a REFER in the call's dialog (outgoing-refer.ts); a call not answered has none to send it in. */
  async sendRefer(req: ReferSendRequest): Promise<ReferSendOutcome> {
    const dialog = this.dialog;
    if (!dialog) return { end: 'refused' };
    // A <Refer> first in a document comes right after our 200 OK: the caller's ACK goes first, as for a BYE.
    await this.ackOrTimeout();
    return sendRefer({ dialog, referTo: req.referTo, referredBy: localUri(dialog), headers: req.headers, signal: req.signal, log: this.log });
  }
}
