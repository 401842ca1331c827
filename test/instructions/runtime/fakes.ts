/**
 * A fake call and a fake media endpoint for interpreter tests: the endpoint
 * plays each prompt for `promptMs` (unless a key barges in or the call is
 * hung up) and takes keys from press(); the call serves documents from a map
 * and records what the interpreter asked of it.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  CallRecorder,
  CallRecordingOptions,
  CollectOptions,
  CollectOutcome,
  Endpoint,
  EndpointEvents,
  EndpointStats,
  PlayDigitsOutcome,
  PlayOptions,
  PlayOutcome,
  RecordOptions,
  RecordOutcome,
  SayOptions,
} from '../../../media/types.js';
import { parseInstructions } from '../../../instructions/index.js';
import { silentLogger } from '../../../engine/logger.js';
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
  type DialLeg,
  type DialLegRequest,
  type DocumentSource,
  type NextDocumentOutcome,
  type NextDocumentRequest,
  type Notification,
  type RecordingTarget,
} from '../../../instructions/runtime/index.js';
import type { RejectReason } from '../../../instructions/verbs/reject.js';

export type Op =
  | { op: 'say'; text: string; opts: SayOptions; end: string }
  | { op: 'play'; url: string; opts: PlayOptions; end: string }
  | { op: 'playDigits'; digits: string }
  | { op: 'collect'; opts: CollectOptions; outcome: CollectOutcome }
  | { op: 'record'; opts: RecordOptions; outcome: RecordOutcome }
  | { op: 'recordCall'; opts: CallRecordingOptions };

export class FakeEndpoint extends EventEmitter implements Endpoint {
  readonly localSdp = 'v=0\r\n';
  destroyed = false;
  readonly ops: Op[] = [];
  private buffer: string[] = [];
  /** How long the next recording lasts when no key ends it. */
  recordMs = 50;

  constructor(readonly promptMs = 40) {
    super();
  }

  /** The caller presses a key. */
  press(digit: string): void {
    this.buffer.push(digit);
    this.emit('dtmf', { digit, source: 'rfc4733' });
  }

  private async prompt(opts: PlayOptions): Promise<PlayOutcome['reason'] | 'digit'> {
    return new Promise((resolve) => {
      const done = (how: PlayOutcome['reason']): void => {
        clearTimeout(timer);
        this.off('dtmf', onDigit);
        opts.signal?.removeEventListener('abort', onAbort);
        resolve(how);
      };
      const onDigit = (): void => done('digit');
      const onAbort = (): void => done('stopped');
      const timer = setTimeout(() => done('finished'), this.promptMs);
      if (opts.bargeIn) {
        if (this.buffer.length > 0) return done('digit');
        this.on('dtmf', onDigit);
      }
      if (opts.signal?.aborted) return done('stopped');
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async say(text: string, opts: SayOptions = {}): Promise<PlayOutcome> {
    const op: Op = { op: 'say', text, opts, end: 'running' };
    this.ops.push(op);
    const reason = await this.prompt(opts);
    op.end = reason;
    return { reason, playedMs: this.promptMs };
  }

  async play(sources: string | string[], opts: PlayOptions = {}): Promise<PlayOutcome> {
    const op: Op = { op: 'play', url: String(sources), opts, end: 'running' };
    this.ops.push(op);
    const reason = await this.prompt(opts);
    op.end = reason;
    return { reason, playedMs: this.promptMs };
  }

  playDigits(digits: string): Promise<PlayDigitsOutcome> {
    this.ops.push({ op: 'playDigits', digits });
    return Promise.resolve({ reason: 'finished', sent: digits.replace(/w/gi, '') });
  }

  async collectDigits(opts: CollectOptions): Promise<CollectOutcome> {
    let digits = '';
    const finish = (outcome: CollectOutcome): CollectOutcome => {
      this.ops.push({ op: 'collect', opts, outcome });
      return outcome;
    };
    for (;;) {
      const next = this.buffer.shift() ?? (await this.nextDigit(opts));
      if (next === 'timeout' || next === 'stopped') return finish({ reason: next, digits });
      if (opts.finishOnKey?.includes(next)) return finish({ reason: 'digit', digits, terminator: next });
      digits += next;
      if (opts.maxDigits !== undefined && digits.length >= opts.maxDigits) return finish({ reason: 'finished', digits });
    }
  }

  private nextDigit(opts: CollectOptions): Promise<string> {
    return new Promise((resolve) => {
      const done = (v: string): void => {
        clearTimeout(timer);
        this.off('dtmf', onDigit);
        opts.signal?.removeEventListener('abort', onAbort);
        resolve(v);
      };
      const onDigit = (): void => done(this.buffer.shift() ?? '');
      const onAbort = (): void => done('stopped');
      const timer = setTimeout(() => done('timeout'), opts.timeoutMs);
      if (opts.signal?.aborted) return done('stopped');
      this.on('dtmf', onDigit);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  clearDigits(): void {
    this.buffer = [];
  }

  async record(opts: RecordOptions): Promise<RecordOutcome> {
    const started = Date.now();
    const how = await new Promise<{ reason: RecordOutcome['reason']; digit?: string }>((resolve) => {
      const done = (v: { reason: RecordOutcome['reason']; digit?: string }): void => {
        clearTimeout(timer);
        this.off('dtmf', onDigit);
        opts.signal?.removeEventListener('abort', onAbort);
        resolve(v);
      };
      const onDigit = (e: { digit: string }): void => {
        if (opts.finishOnKey?.includes(e.digit)) done({ reason: 'digit', digit: e.digit });
      };
      const onAbort = (): void => done({ reason: 'hangup' });
      const timer = setTimeout(() => done({ reason: 'silence' }), this.recordMs);
      this.on('dtmf', onDigit);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
    const outcome: RecordOutcome = { ...how, path: opts.path, durationMs: Math.max(1, Date.now() - started) };
    this.ops.push({ op: 'record', opts, outcome });
    return outcome;
  }

  /** A call recording that writes nothing and lasts from its start to its stop. */
  recordCall(opts: CallRecordingOptions): Promise<CallRecorder> {
    const started = Date.now();
    this.ops.push({ op: 'recordCall', opts });
    let paused = false;
    return Promise.resolve({
      get paused() {
        return paused;
      },
      pause: () => Promise.resolve(void (paused = true)),
      resume: () => Promise.resolve(void (paused = false)),
      stop: () => Promise.resolve({ reason: 'stopped' as const, path: opts.path, durationMs: Date.now() - started, channels: opts.channels }),
    });
  }

  modify(): Promise<string> {
    return Promise.resolve(this.localSdp);
  }
  bridge(): Promise<void> {
    return Promise.resolve();
  }
  unbridge(): Promise<void> {
    return Promise.resolve();
  }
  stats(): EndpointStats {
    return { codec: 'PCMU', sent: { packets: 0, bytes: 0 }, received: { packets: 0, bytes: 0, lost: 0, jitterMs: 0 } };
  }
  destroy(): Promise<void> {
    this.destroyed = true;
    this.emit('destroy');
    return Promise.resolve();
  }

  override on<K extends keyof EndpointEvents>(event: K, listener: (...args: EndpointEvents[K]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }
  override once<K extends keyof EndpointEvents>(event: K, listener: (...args: EndpointEvents[K]) => void): this {
    return super.once(event, listener as (...args: unknown[]) => void);
  }
  override off<K extends keyof EndpointEvents>(event: K, listener: (...args: EndpointEvents[K]) => void): this {
    return super.off(event, listener as (...args: unknown[]) => void);
  }
}

export interface Fetch {
  request: NextDocumentRequest;
  afterHangup: boolean;
}

/** Documents by URL: XML text (parsed with the URL as base) or an error message. */
/** Each URL's document (or a function giving the document of each request to it in turn), or an error. */
export type Documents = Record<string, string | { error: string } | (() => string)>;

export class FakeCall implements CallControl {
  readonly callSid: string = 'CA' + '0'.repeat(32);
  readonly log = silentLogger();
  readonly endpoint: FakeEndpoint;
  readonly fetches: Fetch[] = [];
  readonly events: string[] = [];
  readonly notifications: Notification[] = [];
  readonly saved: { sid: string; durationMs: number; channels: number; source: string }[] = [];
  readonly dialed: DialLegRequest[] = [];
  /** How each <Dial> noun is answered; by default nobody answers. */
  dial: (req: DialLegRequest) => Promise<DialAttempt> = () => Promise.resolve({ status: 'no-answer', reason: 'not scripted' });
  private readonly abort = new AbortController();
  private isAnswered = false;
  private docUrl: string | undefined;
  private recordings = 0;

  constructor(
    private readonly documents: Documents,
    opts: { promptMs?: number; answerFails?: boolean; callSid?: string } = {},
  ) {
    if (opts.callSid !== undefined) this.callSid = opts.callSid;
    this.endpoint = new FakeEndpoint(opts.promptMs);
    this.answerFails = opts.answerFails ?? false;
  }

  private readonly answerFails: boolean;

  get hangupSignal(): AbortSignal {
    return this.abort.signal;
  }
  get answered(): boolean {
    return this.isAnswered;
  }
  get currentDocumentUrl(): string | undefined {
    return this.docUrl;
  }

  /** The caller hangs up. */
  callerHangup(): void {
    this.events.push('caller-bye');
    this.abort.abort();
  }

  answer(): Promise<FakeEndpoint> {
    if (this.answerFails) return Promise.reject(new Error('incompatible codecs'));
    if (!this.isAnswered) {
      this.isAnswered = true;
      this.events.push('answer');
    }
    return Promise.resolve(this.endpoint);
  }

  reject(reason: RejectReason): Promise<void> {
    this.events.push(`reject:${reason}`);
    return Promise.resolve();
  }

  async hangup(): Promise<void> {
    if (!this.isAnswered) await this.answer();
    this.events.push('hangup');
  }

  async fetchNext(source: DocumentSource, opts: { afterHangup?: boolean } = {}): Promise<NextDocumentOutcome> {
    if (isInlineDocument(source)) {
      this.fetches.push({ request: { url: 'inline', method: 'POST' }, afterHangup: opts.afterHangup ?? false });
      return { document: parseInstructions(source.twiml, { baseUrl: this.docUrl }), url: this.docUrl ?? 'inline' };
    }
    const request = source;
    this.fetches.push({ request, afterHangup: opts.afterHangup ?? false });
    await sleep(1);
    const entry = this.documents[request.url];
    const doc = typeof entry === 'function' ? entry() : entry;
    if (doc === undefined) return { error: 'HTTP status 404', url: request.url };
    if (typeof doc !== 'string') return { error: doc.error, url: request.url };
    this.docUrl = request.url;
    return { document: parseInstructions(doc, { baseUrl: request.url }), url: request.url };
  }

  newRecording(): RecordingTarget {
    this.recordings++;
    const sid = `RE${String(this.recordings).padStart(32, '0')}`;
    return { sid, path: `/tmp/${sid}.wav`, url: `http://engine.test/recordings/${sid}` };
  }

  notify(n: Notification): void {
    this.notifications.push(n);
  }

  recordingSaved(target: RecordingTarget, info: { durationMs: number; channels: 1 | 2; source: string }): void {
    this.saved.push({ sid: target.sid, ...info });
  }

  async earlyMedia(): Promise<FakeEndpoint> {
    this.events.push('early-media');
    return Promise.resolve(this.endpoint);
  }

  /** Conferences joined, and how the test says each participation ends. */
  readonly conferencesJoined: ConferenceJoinRequest[] = [];
  conference: (req: ConferenceJoinRequest) => Promise<ConferenceJoinOutcome> = () => Promise.resolve({ status: 'completed', reason: 'hangup', durationSeconds: 0 });

  enqueue(req: EnqueueRequest): Promise<EnqueueOutcome> {
    void req;
    return Promise.resolve({ result: 'leave', queueTime: 0 });
  }

  dequeue(req: DequeueRequest): Promise<DequeueOutcome> {
    void req;
    return Promise.resolve({ status: 'no-queue' });
  }

  joinConference(req: ConferenceJoinRequest): Promise<ConferenceJoinOutcome> {
    this.conferencesJoined.push(req);
    return this.conference(req);
  }

  placeDialLeg(req: DialLegRequest): Promise<DialAttempt> {
    this.dialed.push(req);
    return this.dial(req);
  }

  /** Texts spoken, in order. */
  get said(): string[] {
    return this.endpoint.ops.flatMap((o) => (o.op === 'say' ? [o.text] : []));
  }
}

export const doc = (verbs: string): string => `<?xml version="1.0" encoding="UTF-8"?><Response>${verbs}</Response>`;

/** A called party of a fake <Dial>: answers with its own fake call and endpoint. */
export class FakeLeg implements DialLeg {
  readonly call: FakeCall;
  readonly answeredAt = Date.now();
  hungUp = false;

  constructor(
    readonly callSid: string,
    documents: Documents = {},
  ) {
    this.call = new FakeCall(documents, { callSid });
    void this.call.answer();
  }

  get endpoint(): FakeEndpoint {
    return this.call.endpoint;
  }
  get control(): FakeCall {
    return this.call;
  }
  get durationSeconds(): number {
    return Math.round((Date.now() - this.answeredAt) / 1000);
  }
  /** The called party hangs up. */
  calleeHangup(): void {
    this.call.callerHangup();
  }
  hangup(): Promise<void> {
    this.hungUp = true;
    if (!this.call.hangupSignal.aborted) this.call.callerHangup();
    return Promise.resolve();
  }
}
