import type { EventEmitter } from 'node:events';
import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import {
  outcomeOfAbort,
  outcomeOfError,
  outcomeOfRejection,
  outcomeOfTimeout,
  type Unanswered,
} from './call-outcome.js';
import type { DialTarget } from './dial-target.js';
import { fromHeader, hostOfSipUri, type FromParty } from './from-header.js';

export type CallOutcome =
  | { kind: 'answered'; dialog: Srf.Dialog; remoteSdp: string; callId: string }
  | { kind: 'busy' | 'no-answer' | 'failed' | 'canceled'; sipStatus?: number; reason: string; callId?: string };

export interface PlaceCallOptions {
  srf: Srf;
  target: DialTarget;
  /** From: "displayName" <sip:user@host>; host defaults to the trunk's fromDomain or the target host */
  from: FromParty;
  /** Our SDP offer (from a media endpoint). */
  localSdp: string;
  /** No final answer in time -> CANCEL, outcome 'no-answer'. Fractions of a second are allowed. */
  timeoutSeconds: number;
  headers?: Record<string, string>;
  /** Aborted -> CANCEL (or BYE if the 200 crosses it) -> 'canceled'. */
  signal?: AbortSignal;
  onRequestSent?: (callId: string) => void;
  /** Every 18x. */
  onProvisional?: (status: number) => void;
  /** Every response to the INVITE as it arrives: each 18x, then the final one (to report its status and headers). */
  onResponse?: (res: Srf.SrfResponse) => void;
  /** 18x carrying SDP, once per distinct SDP. */
  onEarlyMedia?: (remoteSdp: string) => void;
  log: Logger;
}

/**
 * How long to wait, after our CANCEL, for the INVITE's final response
 * (normally 487, RFC 3261 §9.1) before reporting the outcome anyway. A peer
 * that never answers would otherwise hold the caller until Timer B (64*T1).
 */
const CANCEL_GRACE_MS = 4000;

/** Headers the engine writes itself on an outbound INVITE. */
const OWN_HEADERS = new Set(['from', 'f', 'content-length', 'l']);

/**
 * Places one outbound call through drachtio-srf and reports how it ended.
 * Never rejects for ordinary failures: a refused, unanswered, cancelled or
 * unsendable call is an outcome.
 */
export function placeCall(opts: PlaceCallOptions): Promise<CallOutcome> {
  return new OutboundAttempt(opts).run();
}

type Decision = { why: 'timeout' } | { why: 'abort'; reason: string };
type Settled = { dialog: Srf.Dialog } | { error: unknown };

/** drachtio-srf calls cbRequest(err, req); its typings say cbRequest(req). */
type RequestSentCallback = (err: unknown, req?: Srf.SrfRequest) => void;

class OutboundAttempt {
  private invite: Srf.SrfRequest | undefined;
  private callId: string | undefined;
  private decision: Decision | undefined;
  private finished = false;
  private lastEarlySdp = '';
  private readonly earlySdps = new Set<string>();
  private readonly decided: Promise<'decided'>;
  private markDecided: () => void = () => undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: PlaceCallOptions) {
    this.decided = new Promise((resolve) => {
      this.markDecided = () => resolve('decided');
    });
  }

  async run(): Promise<CallOutcome> {
    const { opts } = this;
    if (!Number.isFinite(opts.timeoutSeconds) || opts.timeoutSeconds <= 0) {
      return outcomeOfError(`timeoutSeconds must be a positive number of seconds, not ${String(opts.timeoutSeconds)}`, undefined);
    }
    if (opts.signal?.aborted) return outcomeOfAbort(abortText(opts.signal), undefined, undefined);
    const onAbort = (): void => this.decide({ why: 'abort', reason: abortText(opts.signal) });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    this.timer = setTimeout(() => this.decide({ why: 'timeout' }), opts.timeoutSeconds * 1000);
    // drachtio-srf never settles a request whose server connection closed.
    let onClose = (): void => undefined;
    const lost = new Promise<'lost'>((resolve) => {
      onClose = () => resolve('lost');
    });
    const connection: EventEmitter = opts.srf; // its typings do not list 'close'
    connection.on('close', onClose);
    try {
      return await this.outcome(this.launch(), lost);
    } finally {
      clearTimeout(this.timer);
      opts.signal?.removeEventListener('abort', onAbort);
      connection.removeListener('close', onClose);
    }
  }

  private launch(): Promise<Settled> {
    const { opts } = this;
    const { target } = opts;
    const secure = /^sips:/i.test(target.requestUri);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(opts.headers ?? {})) {
      if (!OWN_HEADERS.has(name.toLowerCase())) headers[name] = value;
    }
    headers.From = fromHeader(opts.from, target.fromDomain ?? hostOfSipUri(target.requestUri), secure);
    const uacOpts: Srf.CreateUACOptions = { localSdp: opts.localSdp, headers };
    if (target.proxy !== undefined) uacOpts.proxy = target.proxy;
    if (target.auth !== undefined) uacOpts.auth = target.auth;
    const cbRequest = ((err: unknown, req?: Srf.SrfRequest) => this.requestSent(err, req)) as RequestSentCallback;
    const callbacks = {
      cbRequest: cbRequest as unknown as (req: Srf.SrfRequest) => void,
      cbProvisional: (res: Srf.SrfResponse) => this.provisional(res),
    };
    opts.log.debug({ requestUri: target.requestUri, trunkId: target.trunkId }, 'placing outbound call');
    let uac: Promise<Srf.Dialog>;
    try {
      uac = opts.srf.createUAC(target.requestUri, uacOpts, callbacks);
    } catch (err) {
      uac = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return uac.then(
      (dialog): Settled => {
        this.finished = true;
        return { dialog };
      },
      (error: unknown): Settled => {
        this.finished = true;
        return { error };
      },
    );
  }

  /** Waits for the INVITE's final response; once we gave up, for a bounded time only. */
  private async outcome(settling: Promise<Settled>, lost: Promise<'lost'>): Promise<CallOutcome> {
    const first = await Promise.race([settling, this.decided, lost]);
    if (first === 'lost') return this.connectionLost();
    if (first !== 'decided') return this.conclude(first);
    let grace: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      grace = setTimeout(() => resolve('late'), CANCEL_GRACE_MS);
    });
    const second = await Promise.race([settling, late, lost]);
    clearTimeout(grace);
    if (second === 'lost') return this.connectionLost();
    if (second !== 'late') return this.conclude(second);
    this.opts.log.warn({ callId: this.callId }, 'no final response to the INVITE after our CANCEL; reporting the call as not answered');
    // Whatever comes later is released: an answer gets ACK (drachtio-srf) and BYE.
    void settling.then((s) => {
      if ('dialog' in s) this.release(s.dialog, 'answered long after our CANCEL');
    });
    return this.givenUp(undefined);
  }

  private conclude(settled: Settled): CallOutcome {
    const callId = this.callId;
    const final = 'dialog' in settled ? settled.dialog : settled.error;
    const res = (final as { res?: Srf.SrfResponse } | undefined)?.res;
    if (res) safely(this.opts.log, 'onResponse', () => this.opts.onResponse?.(res));
    if ('dialog' in settled) {
      const { dialog } = settled;
      if (this.decision) {
        // §9.1: a 2xx that crosses our CANCEL establishes the call anyway;
        // drachtio-srf has ACKed it, and we end it with BYE (§15).
        this.release(dialog, 'answered after we gave up');
        return this.givenUp(undefined);
      }
      const remoteSdp = dialog.remote.sdp || this.lastEarlySdp;
      const id = callId ?? dialog.sip.callId;
      if (!remoteSdp) {
        this.release(dialog, 'answered without an SDP answer');
        return outcomeOfError('the far end answered without an SDP answer (RFC 3264 §4)', id);
      }
      this.opts.log.info({ callId: id, trunkId: this.opts.target.trunkId }, 'outbound call answered');
      return { kind: 'answered', dialog, remoteSdp, callId: id };
    }
    const status = sipStatusOf(settled.error);
    if (this.decision) return this.givenUp(status);
    if (status !== undefined) {
      const outcome = outcomeOfRejection(status, sipReasonOf(settled.error), callId);
      this.opts.log.info({ callId, sipStatus: status, outcome: outcome.kind }, 'outbound call not answered');
      return outcome;
    }
    const message = settled.error instanceof Error ? settled.error.message : String(settled.error);
    this.opts.log.warn({ callId, err: message }, 'outbound call could not be placed');
    return outcomeOfError(`could not place the call: ${message}`, callId);
  }

  private connectionLost(): CallOutcome {
    this.finished = true;
    this.opts.log.warn({ callId: this.callId }, 'lost the connection to the SIP server during an outbound call');
    return outcomeOfError('lost the connection to the SIP server before the call was answered', this.callId);
  }

  /** The outcome after our own CANCEL (timeout or abort). */
  private givenUp(sipStatus: number | undefined): Unanswered {
    const decision = this.decision;
    if (decision?.why === 'abort') return outcomeOfAbort(decision.reason, sipStatus, this.callId);
    return outcomeOfTimeout(this.opts.timeoutSeconds, sipStatus, this.callId);
  }

  private decide(decision: Decision): void {
    if (this.decision || this.finished) return;
    this.decision = decision;
    this.opts.log.info({ callId: this.callId, why: decision.why }, 'cancelling outbound call');
    this.markDecided();
    if (this.invite) this.sendCancel(this.invite);
    // Otherwise requestSent() cancels as soon as the INVITE is out.
  }

  private requestSent(err: unknown, req: Srf.SrfRequest | undefined): void {
    if (err || !req) return; // createUAC rejects with the same error
    this.invite = req;
    this.callId = req.get('Call-ID');
    safely(this.opts.log, 'onRequestSent', () => this.opts.onRequestSent?.(this.callId ?? ''));
    if (this.decision) this.sendCancel(req);
  }

  /** RFC 3261 §9.1; the SIP server holds it until a provisional response has arrived. */
  private sendCancel(invite: Srf.SrfRequest): void {
    try {
      invite.cancel((err: unknown) => {
        // Refused when the final response is already in: the outcome follows from it.
        if (err) this.opts.log.debug({ callId: this.callId, err: String(err) }, 'CANCEL not sent');
      });
    } catch (err) {
      this.opts.log.warn({ callId: this.callId, err: String(err) }, 'could not send CANCEL');
    }
  }

  private provisional(res: Srf.SrfResponse): void {
    if (this.decision) return;
    const { opts } = this;
    safely(opts.log, 'onResponse', () => opts.onResponse?.(res));
    safely(opts.log, 'onProvisional', () => opts.onProvisional?.(res.status));
    const body = typeof res.body === 'string' ? res.body : '';
    if (body.trim() === '' || !isSdp(res, body)) return;
    this.lastEarlySdp = body;
    if (this.earlySdps.has(body)) return;
    this.earlySdps.add(body);
    safely(opts.log, 'onEarlyMedia', () => opts.onEarlyMedia?.(body));
  }

  private release(dialog: Srf.Dialog, why: string): void {
    const callId = dialog.sip.callId;
    this.opts.log.info({ callId }, `releasing outbound call with BYE: ${why}`);
    try {
      dialog.destroy(undefined, (err: unknown) => {
        if (err) this.opts.log.warn({ callId, err: String(err) }, 'BYE failed');
      });
    } catch (err) {
      this.opts.log.warn({ callId, err: String(err) }, 'could not send BYE');
    }
  }
}

function isSdp(res: Srf.SrfResponse, body: string): boolean {
  const type = res.get('Content-Type');
  if (typeof type === 'string' && type !== '') return /^\s*application\/sdp\b/i.test(type);
  return body.startsWith('v=0');
}

function sipStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const status = (err as { status?: unknown }).status;
  return typeof status === 'number' && status >= 300 && status <= 699 ? status : undefined;
}

function sipReasonOf(err: unknown): string | undefined {
  const reason = (err as { reason?: unknown }).reason;
  return typeof reason === 'string' ? reason : undefined;
}

function abortText(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return `canceled: ${reason.message}`;
  if (typeof reason === 'string' && reason !== '') return `canceled: ${reason}`;
  return 'canceled by the caller';
}

/** Runs a user callback; a throw is logged, never allowed to break the call. */
function safely(log: Logger, name: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    log.error({ err: err instanceof Error ? err.message : String(err) }, `${name} threw`);
  }
}
