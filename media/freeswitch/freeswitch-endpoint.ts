import { EventEmitter } from 'node:events';
import type Mrf from 'drachtio-fsmrf';
import { SAMPLE_RATE } from '../embedded/audio/format.js';
import { isDtmfDigit } from '../embedded/dtmf/events.js';
import { dtmfTone } from '../embedded/dsp/tone.js';
import { DigitBuffer } from '../digit-buffer.js';
import { collectDigits } from '../digit-collector.js';
import { MediaError } from '../errors.js';
import type {
  CallRecorder,
  CallRecordingOptions,
  CollectOptions,
  CollectOutcome,
  DtmfSource,
  Endpoint,
  EndpointStats,
  PlayDigitsOptions,
  PlayDigitsOutcome,
  PlayOptions,
  PlayOutcome,
  RecordOptions,
  RecordOutcome,
  SayOptions,
} from '../types.js';
import { FsCallRecording } from './fs-call-recording.js';
import { BreakableOp, FsChannel, untilAborted } from './fs-channel.js';
import { collectRecording, freeswitchRecordingPath, type RecordingPlaces } from './fs-recording-file.js';
import { codecOfSdp, emptyStats, hasTelephoneEvent, statsFromVariables } from './fs-stats.js';
import type { FreeSwitchLog } from './freeswitch-node.js';
import type { PromptFiles } from './prompt-files.js';
import { assertAlive, cancellableLoad, emitSafely, endedEarly } from '../endpoint-support.js';

/** What every FreeSWITCH endpoint of one driver shares. */
export interface FsEndpointContext {
  prompts: PromptFiles;
  recordings: RecordingPlaces;
  /** In-band DTMF detection: 'auto' only when the peer did not negotiate telephone-event. */
  inbandDtmf: 'auto' | 'always' | 'never';
  log: FreeSwitchLog;
}

type PromptEnd = 'stopped' | 'digit' | 'hangup';
type RecordEnd = 'stopped' | 'digit' | 'hangup' | 'max-length';

/** A beep before a recording: 250 ms of 1 kHz (FreeSWITCH tone_stream, no file needed). */
const BEEP = 'tone_stream://%(250,0,1000)';
/** FreeSWITCH record: average sample magnitude under which a frame counts as silence. */
const SILENCE_THRESHOLD = 200;
/** How long destroy() waits for the channel's last statistics. */
const STATS_WAIT_MS = 1000;
/** How long destroy() waits for FreeSWITCH to confirm the hangup. */
const DESTROY_WAIT_MS = 2000;
/** How long a recording cut by a hangup waits for FreeSWITCH to close its file. */
const RECORD_CLOSE_WAIT_MS = 1000;
const PAUSE_MS = 500;

/** An Endpoint backed by a FreeSWITCH channel, driven through drachtio-fsmrf. */
export class FreeSwitchEndpoint extends EventEmitter implements Endpoint {
  private readonly life = new AbortController();
  private readonly digits = new DigitBuffer();
  private readonly ch: FsChannel;
  private prompt: { op: BreakableOp<PromptEnd>; bargeIn: boolean; done: Promise<void> } | undefined;
  private recording: { op: BreakableOp<RecordEnd>; finishOnKey: string } | undefined;
  private bridged: FreeSwitchEndpoint | undefined;
  private readonly callRecordings = new Set<FsCallRecording>();
  private bugStarts: Promise<unknown> = Promise.resolve();
  private localSdpText: string;
  private lastStats: EndpointStats;
  private statsAt = 0;
  private inband = false;

  constructor(
    private readonly fs: Mrf.Endpoint,
    private readonly ctx: FsEndpointContext,
    private readonly server: { name: string; hasSpandsp: boolean },
    private readonly release: () => void,
    readonly callId?: string,
  ) {
    super();
    this.ch = new FsChannel(fs, this.life.signal);
    this.localSdpText = fs.local.sdp;
    this.lastStats = emptyStats(codecOfSdp(fs.local.sdp));
    fs.on('dtmf', (d) => this.onDigit(d));
    fs.on('destroy', () => this.ended('FreeSWITCH ended the channel'));
    fs.dialog?.on('destroy', () => this.ended('FreeSWITCH sent BYE'));
  }

  /** Channel settings every operation relies on; in-band DTMF detection when the peer needs it. */
  async prepare(remoteSdp: string | undefined): Promise<void> {
    // Digits are handled here (barge-in, finish keys), never by FreeSWITCH's own terminators.
    await untilAborted(this.fs.set({ playback_terminators: 'none', playback_delimiter: '!', record_sample_rate: String(SAMPLE_RATE) }), this.life.signal);
    if (remoteSdp !== undefined) await this.startInbandDtmf(remoteSdp);
  }

  get localSdp(): string {
    return this.localSdpText;
  }

  get destroyed(): boolean {
    return this.life.signal.aborted;
  }

  /** The FreeSWITCH server this endpoint lives on (bridging needs both on one). */
  get serverName(): string {
    return this.server.name;
  }

  async modify(remoteSdp: string): Promise<string> {
    this.assertAlive();
    let answer: string | undefined;
    try {
      answer = await untilAborted(this.fs.modify(remoteSdp), this.life.signal);
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 488) throw new MediaError('incompatible-codecs', 'FreeSWITCH found no codec in common with the new SDP', { cause: err });
      throw new MediaError('bad-sdp', `FreeSWITCH refused the new SDP: ${(err as Error).message}`, { cause: err });
    }
    this.assertAlive();
    this.localSdpText = this.fs.local.sdp || answer || this.localSdpText;
    this.lastStats = { ...this.lastStats, codec: codecOfSdp(this.localSdpText) ?? this.lastStats.codec };
    await this.startInbandDtmf(remoteSdp);
    return this.localSdpText;
  }

  async play(sources: string | string[], opts: PlayOptions = {}): Promise<PlayOutcome> {
    const list = Array.isArray(sources) ? sources : [sources];
    const files = await this.load(opts.signal, (s) => Promise.all(list.map((src) => this.ctx.prompts.forSource(src, s))));
    if (!files) return this.endedEarly();
    return this.runPrompt(files, opts);
  }

  async say(text: string, opts: SayOptions = {}): Promise<PlayOutcome> {
    const voice = { voice: opts.voice, language: opts.language };
    const file = await this.load(opts.signal, (s) => this.ctx.prompts.forSpeech(text, voice, s));
    if (!file) return this.endedEarly();
    return this.runPrompt([file], opts);
  }

  async playDigits(digits: string, opts: PlayDigitsOptions = {}): Promise<PlayDigitsOutcome> {
    const durationMs = opts.durationMs ?? 100;
    const gapMs = opts.gapMs ?? 100;
    const sent = [...digits].filter(isDtmfDigit).join('');
    if (this.destroyed) return { reason: 'hangup', sent: '' };
    if (opts.signal?.aborted) return { reason: 'stopped', sent: '' };
    if (!hasTelephoneEvent(this.localSdpText)) {
      // No telephone-event with this peer: the tones go in the audio, as a prompt.
      const pcm = [...digits].flatMap((d) =>
        d === 'w' || d === 'W' || d === ','
          ? [new Int16Array((PAUSE_MS * SAMPLE_RATE) / 1000)]
          : isDtmfDigit(d)
            ? [dtmfTone(d, durationMs), new Int16Array((gapMs * SAMPLE_RATE) / 1000)]
            : [],
      );
      const all = new Int16Array(pcm.reduce((n, p) => n + p.length, 0));
      pcm.reduce((at, p) => (all.set(p, at), at + p.length), 0);
      const file = await this.load(opts.signal, () => this.ctx.prompts.publish(all));
      if (!file) return { reason: this.destroyed ? 'hangup' : 'stopped', sent: '' };
      const o = await this.runPrompt([file], { signal: opts.signal });
      return { reason: o.reason === 'digit' ? 'finished' : o.reason, sent };
    }
    // RFC 4733 events: FreeSWITCH's send_dtmf queues them (w = 500 ms pause); it returns at once,
    // so the time the digits take to go out is waited for here.
    const arg = [...digits].filter((d) => isDtmfDigit(d) || d === 'w' || d === 'W').join('');
    if (arg !== '') await this.ch.exec('send_dtmf', `${arg}@${durationMs}`);
    const pauses = [...digits].filter((d) => d === 'w' || d === 'W' || d === ',').length;
    const ms = sent.length * (durationMs + gapMs) + pauses * PAUSE_MS;
    const reason = await this.wait(ms, opts.signal);
    return { reason, sent };
  }

  collectDigits(opts: CollectOptions): Promise<CollectOutcome> {
    return collectDigits(this.digits, opts, this.life.signal);
  }

  clearDigits(): void {
    this.digits.clear();
  }

  async record(opts: RecordOptions): Promise<RecordOutcome> {
    if (this.destroyed) return { reason: 'hangup', path: opts.path, durationMs: 0 };
    if (opts.signal?.aborted) return { reason: 'stopped', path: opts.path, durationMs: 0 };
    if (opts.beep) {
      const b = await this.runPrompt([BEEP], { signal: opts.signal });
      if (b.reason !== 'finished') return { reason: b.reason === 'digit' ? 'stopped' : b.reason, path: opts.path, durationMs: 0 };
    }
    this.recording?.op.stop('stopped');
    // Bridged, or about to be (a Dial recording: no finish key, no silence limit): a media bug, which keeps the
    // channel free for uuid_bridge; otherwise FreeSWITCH's record application.
    if (this.bridged || (!opts.finishOnKey && opts.silenceTimeoutMs === undefined)) return this.recordBridged(opts);
    const op = new BreakableOp<RecordEnd>(() => this.ch.breakApp());
    this.recording = { op, finishOnKey: opts.finishOnKey ?? '' };
    const onAbort = (): void => op.stop('stopped');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    // The length limit is kept here: FreeSWITCH's own counts whole seconds.
    const maxTimer = opts.maxLengthMs !== undefined ? setTimeout(() => op.stop('max-length'), opts.maxLengthMs) : undefined;
    const args = [freeswitchRecordingPath(this.ctx.recordings, opts.path)];
    if (opts.silenceTimeoutMs !== undefined) {
      // FreeSWITCH record <path> <time limit s> <silence threshold> <silence seconds>.
      args.push(opts.maxLengthMs !== undefined ? String(Math.ceil(opts.maxLengthMs / 1000) + 1) : '0');
      args.push(String(SILENCE_THRESHOLD), String(Math.max(1, Math.round(opts.silenceTimeoutMs / 1000))));
    }
    let evt: Mrf.EslEvent | undefined;
    try {
      const run = this.fs.execute('record', args.join(' '));
      evt = await untilAborted(run, this.life.signal);
      // A hangup cuts the recording: FreeSWITCH still closes the file, give it a moment.
      if (!evt) await untilAborted(run, AbortSignal.timeout(RECORD_CLOSE_WAIT_MS)).catch(() => undefined);
    } catch (err) {
      if (!this.destroyed) throw new MediaError('io', `FreeSWITCH could not record: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(maxTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (this.recording?.op === op) this.recording = undefined;
    }
    const reason: RecordOutcome['reason'] = this.destroyed
      ? 'hangup'
      : (op.reason ?? (evt?.getHeader('variable_silence_hits_exhausted') === 'true' ? 'silence' : 'finished'));
    const durationMs = await collectRecording(this.ctx.recordings, opts.path, { trim: opts.trim });
    const out: RecordOutcome = { reason, path: opts.path, durationMs };
    if (reason === 'digit' && op.digit !== undefined) out.digit = op.digit;
    return out;
  }

  /**
   * A bridged channel runs no application of its own: its audio is recorded
   * with a media bug (uuid_record), the peer's side only, until the signal,
   * the length limit or a hangup.
   */
  private async recordBridged(opts: RecordOptions): Promise<RecordOutcome> {
    const file = freeswitchRecordingPath(this.ctx.recordings, opts.path);
    await this.startBug({ RECORD_READ_ONLY: 'true', RECORD_WRITE_ONLY: 'false' }, file);
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    // Every way the recording ends (signal, limit, finish key, a newer recording, hangup) stops op, which wakes this.
    const op = new BreakableOp<RecordEnd>(() => wake());
    this.recording = { op, finishOnKey: opts.finishOnKey ?? '' };
    const timer = opts.maxLengthMs !== undefined ? setTimeout(() => op.stop('max-length'), opts.maxLengthMs) : undefined;
    const onStop = (): void => op.stop('stopped');
    opts.signal?.addEventListener('abort', onStop, { once: true });
    if (opts.signal?.aborted) op.stop('stopped');
    if (this.destroyed) op.stop('hangup');
    await woken;
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onStop);
    if (this.recording?.op === op) this.recording = undefined;
    if (!this.destroyed) await this.ch.api('uuid_record', [this.uuid, 'stop', file]).catch(() => undefined);
    const durationMs = await collectRecording(this.ctx.recordings, opts.path, { trim: opts.trim });
    const out: RecordOutcome = { reason: this.destroyed ? 'hangup' : (op.reason ?? 'finished'), path: opts.path, durationMs };
    if (op.reason === 'digit' && op.digit !== undefined) out.digit = op.digit;
    return out;
  }

  /**
   * Sets the RECORD_* channel variables and starts a media bug: FreeSWITCH
   * reads the variables when the bug starts, so one start at a time.
   */
  private startBug(vars: Record<string, string>, file: string): Promise<void> {
    const run = this.bugStarts.then(async () => {
      await untilAborted(this.fs.set(vars), this.life.signal);
      const started = await this.ch.api('uuid_record', [this.uuid, 'start', file]);
      if (started !== undefined && !started.startsWith('+OK')) throw new MediaError('io', `FreeSWITCH could not record: ${started.trim()}`);
    });
    this.bugStarts = run.catch(() => undefined);
    return run;
  }

  async recordCall(opts: CallRecordingOptions): Promise<CallRecorder> {
    this.assertAlive();
    const startBug = (vars: Record<string, string>, file: string): Promise<void> => this.startBug(vars, file);
    const recording = await FsCallRecording.start(this.ch, this.ctx.recordings, opts, startBug, this.life.signal, (r) => this.callRecordings.delete(r));
    this.callRecordings.add(recording);
    if (this.destroyed) recording.end('hangup').catch(() => undefined);
    return recording;
  }

  private get uuid(): string {
    return this.fs.uuid;
  }

  async bridge(other: Endpoint): Promise<void> {
    this.assertAlive();
    if (!(other instanceof FreeSwitchEndpoint)) throw new TypeError('can only bridge two FreeSWITCH endpoints');
    if (other === this) throw new TypeError('cannot bridge an endpoint with itself');
    other.assertAlive();
    if (other.serverName !== this.serverName) {
      throw new MediaError('io', `cannot bridge endpoints on two FreeSWITCH servers (${this.serverName}, ${other.serverName})`);
    }
    await this.unbridge();
    await other.unbridge();
    try {
      await untilAborted(this.fs.bridge(other.fs), this.life.signal);
    } catch (err) {
      throw new MediaError('io', `FreeSWITCH could not bridge: ${(err as Error).message}`, { cause: err });
    }
    this.bridged = other;
    other.bridged = this;
  }

  async unbridge(): Promise<void> {
    const other = this.bridged;
    if (!other) return;
    this.bridged = undefined;
    other.bridged = undefined;
    if (this.destroyed || other.destroyed) return;
    await untilAborted(this.fs.unbridge(), this.life.signal).catch((err: unknown) =>
      this.ctx.log('warn', 'FreeSWITCH could not unbridge', { callId: this.callId, reason: (err as Error).message }),
    );
  }

  stats(): EndpointStats {
    if (!this.destroyed && performance.now() - this.statsAt > 1000) {
      this.statsAt = performance.now();
      void this.refreshStats();
    }
    return this.lastStats;
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    // The last figures, unless FreeSWITCH has stopped answering (its socket still open): then the ones we have.
    await this.refreshStats(AbortSignal.timeout(STATS_WAIT_MS));
    const dialog = this.fs.dialog;
    const connected = this.fs.conn !== null;
    this.ended();
    if (connected) {
      await untilAborted(this.fs.destroy(), AbortSignal.timeout(DESTROY_WAIT_MS)).catch(() => undefined);
    } else if (dialog) {
      // FreeSWITCH is gone: end the SIP dialog with it all the same.
      await new Promise<void>((resolve) => dialog.destroy(undefined, () => resolve())).catch(() => undefined);
    }
  }

  /** Ends every operation and tells the listeners, once; `why` when FreeSWITCH ended it. */
  private ended(why?: string): void {
    if (this.destroyed) return;
    if (why) this.ctx.log('warn', 'media endpoint ended by FreeSWITCH', { callId: this.callId, server: this.server.name, reason: why });
    this.life.abort();
    this.prompt?.op.stop('hangup');
    this.recording?.op.stop('hangup');
    for (const r of [...this.callRecordings]) r.end('hangup').catch(() => undefined); // its owner hears of a failure from stop()
    if (this.bridged) this.bridged.bridged = undefined;
    this.bridged = undefined;
    this.release();
    this.safeEmit('destroy');
    this.removeAllListeners('dtmf');
  }

  private onDigit(d: Mrf.DtmfArgs): void {
    const digit = String(d.dtmf ?? '').toUpperCase();
    if (this.destroyed || !isDtmfDigit(digit)) return;
    const source: DtmfSource = d.source === 'INBAND_AUDIO' ? 'inband' : 'rfc4733';
    const rec = this.recording;
    if (rec && !rec.op.ended && rec.finishOnKey.includes(digit)) {
      rec.op.stop('digit', digit);
    } else {
      this.digits.push(digit);
      const p = this.prompt;
      if (p?.bargeIn) p.op.stop('digit', digit);
    }
    this.safeEmit('dtmf', { digit, source });
  }

  /** Plays FreeSWITCH file strings; a newer prompt stops this one ('stopped'). */
  private async runPrompt(files: string[], opts: PlayOptions): Promise<PlayOutcome> {
    if (this.destroyed) return { reason: 'hangup', playedMs: 0 };
    if (opts.signal?.aborted) return { reason: 'stopped', playedMs: 0 };
    const previous = this.prompt;
    const op = new BreakableOp<PromptEnd>(() => this.ch.breakApp());
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    this.prompt = { op, bargeIn: opts.bargeIn ?? false, done };
    const onAbort = (): void => op.stop('stopped');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let playedMs = 0;
    try {
      if (previous) {
        previous.op.stop('stopped');
        await previous.done;
      }
      const loop = opts.loop ?? 1;
      for (let i = 0; (loop === 0 || i < loop) && !op.ended && !this.destroyed; i++) {
        const evt = await this.ch.exec('playback', files.join('!'));
        if (!evt) break;
        playedMs += Number(evt.getHeader('variable_playback_ms')) || 0;
        const response = evt.getHeader('Application-Response') ?? '';
        if (!op.ended && response !== '' && response !== 'FILE PLAYED') {
          throw new MediaError(response === 'FILE NOT FOUND' ? 'fetch-failed' : 'bad-audio', `FreeSWITCH could not play ${files.join(', ')}: ${response}`);
        }
      }
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      if (this.prompt?.op === op) this.prompt = undefined;
      finished();
    }
    const reason = this.destroyed ? 'hangup' : (op.reason ?? 'finished');
    const out: PlayOutcome = { reason, playedMs };
    if (reason === 'digit' && op.digit !== undefined) out.digit = op.digit;
    return out;
  }

  private async startInbandDtmf(remoteSdp: string): Promise<void> {
    const mode = this.ctx.inbandDtmf;
    if (this.inband || mode === 'never' || (mode === 'auto' && hasTelephoneEvent(remoteSdp))) return;
    this.inband = true;
    await this.ch.exec(this.server.hasSpandsp ? 'spandsp_start_dtmf' : 'start_dtmf');
  }

  private async refreshStats(limit?: AbortSignal): Promise<void> {
    try {
      const vars = await untilAborted(this.fs.getChannelVariables(true), limit ? AbortSignal.any([this.life.signal, limit]) : this.life.signal);
      if (vars) this.lastStats = statsFromVariables(vars, this.lastStats.codec);
    } catch {
      // keep the last figures
    }
  }

  /** Waits ms, or less when signal or a hangup ends it. */
  private wait(ms: number, signal?: AbortSignal): Promise<'finished' | 'stopped' | 'hangup'> {
    return new Promise((resolve) => {
      const end = (r: 'finished' | 'stopped' | 'hangup'): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onStop);
        this.life.signal.removeEventListener('abort', onHangup);
        resolve(r);
      };
      const onStop = (): void => end('stopped');
      const onHangup = (): void => end('hangup');
      const timer = setTimeout(() => end('finished'), ms);
      signal?.addEventListener('abort', onStop, { once: true });
      this.life.signal.addEventListener('abort', onHangup, { once: true });
    });
  }

  /** Runs a load that the caller's signal or a hangup can cancel; undefined when cancelled. */
  private load<T>(signal: AbortSignal | undefined, fn: (s: AbortSignal) => Promise<T>): Promise<T | undefined> {
    return cancellableLoad(this.life.signal, signal, fn);
  }

  private endedEarly(): PlayOutcome {
    return endedEarly(this.destroyed);
  }

  private assertAlive(): void {
    assertAlive(this.destroyed);
  }

  private safeEmit(event: string, ...args: unknown[]): void {
    emitSafely(this, this.ctx.log, this.callId, event, ...args);
  }
}
