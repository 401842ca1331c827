import { EventEmitter } from 'node:events';
import { SAMPLE_RATE } from '../audio/format.js';
import { WavFileWriter } from '../audio/wav.js';
import { beep, dtmfTone } from '../dsp/tone.js';
import { isDtmfDigit } from '../dtmf/events.js';
import type { RtpSession } from '../rtp/rtp-session.js';
import { DigitBuffer } from '../../digit-buffer.js';
import { collectDigits } from '../../digit-collector.js';
import { MediaError } from '../../errors.js';
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
} from '../../types.js';
import type { EndpointContext } from './context.js';
import { CallTap } from './call-recording.js';
import { MediaStream } from './media-stream.js';
import { Playback } from './playback.js';
import { Recording } from './recording.js';
import type { SdpState } from './sdp-state.js';
import { assertAlive, cancellableLoad, emitSafely, endedEarly } from '../../endpoint-support.js';

const PAUSE_MS = 500;

/** An Endpoint of the embedded engine: one RTP session driven by the shared clock. */
export class EmbeddedEndpoint extends EventEmitter implements Endpoint {
  private readonly stream: MediaStream;
  private readonly digits = new DigitBuffer();
  private readonly life = new AbortController();
  private bridged: EmbeddedEndpoint | undefined;

  constructor(
    private readonly ctx: EndpointContext,
    private readonly sdp: SdpState,
    session: RtpSession,
    private readonly release: () => void,
    readonly callId?: string,
  ) {
    super();
    this.stream = new MediaStream(session, ctx.inbandDtmf, this.onDigit);
    session.onError = (err) => this.ctx.log('warn', 'dropped an RTP packet that could not be handled', { callId, err: String(err) });
    if (sdp.negotiated) this.stream.apply(sdp.negotiated);
    ctx.clock.add(this.stream);
  }

  get localSdp(): string {
    return this.sdp.localSdp;
  }

  get destroyed(): boolean {
    return this.life.signal.aborted;
  }

  async modify(remoteSdp: string): Promise<string> {
    this.assertAlive();
    this.stream.apply(this.sdp.apply(remoteSdp));
    return this.sdp.localSdp;
  }

  async play(sources: string | string[], opts: PlayOptions = {}): Promise<PlayOutcome> {
    const list = Array.isArray(sources) ? sources : [sources];
    const clips = await this.load(opts.signal, (signal) => Promise.all(list.map((s) => this.ctx.loader.get(s, signal))));
    if (!clips) return this.endedEarly();
    return this.startPlayback(clips, opts);
  }

  async say(text: string, opts: SayOptions = {}): Promise<PlayOutcome> {
    const tts = this.ctx.tts;
    if (!tts) throw new MediaError('tts-failed', 'no text-to-speech provider is configured');
    const voice = { voice: opts.voice, language: opts.language };
    const clip = await this.load(opts.signal, (signal) => tts.synthesize(text, voice, signal));
    if (!clip) return this.endedEarly();
    return this.startPlayback([clip], opts);
  }

  async playDigits(digits: string, opts: PlayDigitsOptions = {}): Promise<PlayDigitsOutcome> {
    const durationMs = opts.durationMs ?? 100;
    const gapMs = opts.gapMs ?? 100;
    const sent = [...digits].filter(isDtmfDigit).join('');
    if (this.destroyed) return { reason: 'hangup', sent: '' };
    if (opts.signal?.aborted) return { reason: 'stopped', sent: '' };
    if (!this.stream.hasTelephoneEvent) {
      // No telephone-event with this peer: send the tones in the audio.
      const clips = [...digits].flatMap((d) =>
        d === 'w' || d === 'W' || d === ','
          ? [new Int16Array((PAUSE_MS * SAMPLE_RATE) / 1000)]
          : isDtmfDigit(d)
            ? [dtmfTone(d, durationMs), new Int16Array((gapMs * SAMPLE_RATE) / 1000)]
            : [],
      );
      const o = await this.startPlayback(clips, { signal: opts.signal });
      return { reason: o.reason === 'digit' ? 'finished' : o.reason, sent };
    }
    return new Promise((resolve) => {
      let reason: PlayDigitsOutcome['reason'] = 'finished';
      const onAbort = (): void => {
        reason = 'stopped';
        this.stream.stopDigits();
      };
      const onHangup = (): void => {
        reason = 'hangup';
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.life.signal.addEventListener('abort', onHangup, { once: true });
      this.stream.sendDigits(digits, durationMs, gapMs, () => {
        opts.signal?.removeEventListener('abort', onAbort);
        this.life.signal.removeEventListener('abort', onHangup);
        resolve({ reason, sent });
      });
    });
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
      const b = await this.startPlayback([beep()], { signal: opts.signal });
      if (b.reason !== 'finished') return { reason: b.reason === 'digit' ? 'stopped' : b.reason, path: opts.path, durationMs: 0 };
    }
    const writer = await WavFileWriter.open(opts.path);
    this.stream.recording?.finish('stopped');
    return new Promise<RecordOutcome>((resolve, reject) => {
      const onAbort = (): void => rec.finish('stopped');
      const done = (o: RecordOutcome): void => {
        opts.signal?.removeEventListener('abort', onAbort);
        resolve(o);
      };
      const rec = new Recording(writer, opts, done, reject);
      this.stream.recording = rec;
      if (this.destroyed) rec.finish('hangup');
      else if (opts.signal?.aborted) rec.finish('stopped');
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async recordCall(opts: CallRecordingOptions): Promise<CallRecorder> {
    this.assertAlive();
    const taps = this.stream.taps;
    const tap = await CallTap.open(opts, (t) => {
      const i = taps.indexOf(t);
      if (i >= 0) taps.splice(i, 1);
    });
    taps.push(tap);
    if (this.destroyed) tap.end('hangup').catch(() => undefined);
    return tap;
  }

  async bridge(other: Endpoint): Promise<void> {
    this.assertAlive();
    if (!(other instanceof EmbeddedEndpoint)) throw new TypeError('can only bridge two endpoints of the embedded engine');
    if (other === this) throw new TypeError('cannot bridge an endpoint with itself');
    other.assertAlive();
    await this.unbridge();
    await other.unbridge();
    this.bridged = other;
    other.bridged = this;
    this.stream.bridgePeer = other.stream;
    other.stream.bridgePeer = this.stream;
  }

  async unbridge(): Promise<void> {
    const other = this.bridged;
    if (!other) return;
    this.bridged = undefined;
    other.bridged = undefined;
    this.stream.bridgePeer = undefined;
    other.stream.bridgePeer = undefined;
    this.stream.bridgeQueue.length = 0;
    other.stream.bridgeQueue.length = 0;
  }

  /**
   * For a conference room of the same engine: from now on the endpoint's
   * decoded audio goes to `input` (undefined: nowhere), and the room sends
   * its mix with feedRoomAudio. A bridge ends first.
   */
  async attachRoom(input: ((frame: Int16Array) => void) | undefined): Promise<void> {
    if (input) await this.unbridge();
    this.stream.roomInput = input;
    if (!input) this.stream.bridgeQueue.length = 0;
  }

  feedRoomAudio(frame: Int16Array): void {
    if (!this.stream.busy) this.ctx.clock.hurry(this.stream);
    this.stream.feed(frame);
  }

  stats(): EndpointStats {
    const s = this.stream.session;
    const rate = s.clockRates.values().next().value ?? 8000;
    const stats: EndpointStats = {
      codec: this.stream.codecName,
      sent: { packets: s.sentPackets, bytes: s.sentBytes },
      received: {
        packets: s.recv.packets,
        bytes: s.recv.bytes,
        lost: s.recv.lost,
        jitterMs: (s.recv.jitter / rate) * 1000,
      },
    };
    if (s.remoteReport) stats.remote = { ...s.remoteReport };
    return stats;
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.life.abort();
    await this.unbridge();
    this.stream.playback?.finish('hangup');
    this.stream.recording?.finish('hangup');
    for (const tap of [...this.stream.taps]) tap.end('hangup').catch(() => undefined); // its owner hears of a failure from stop()
    this.ctx.clock.remove(this.stream);
    this.stream.close();
    this.release();
    this.safeEmit('destroy');
    this.removeAllListeners('dtmf');
  }

  private readonly onDigit = (digit: string, source: DtmfSource): void => {
    const rec = this.stream.recording;
    if (rec?.takesDigit(digit)) {
      rec.finish('digit', digit);
    } else {
      this.digits.push(digit);
      const p = this.stream.playback;
      if (p?.active && p.bargeIn) p.finish('digit', digit);
    }
    // RFC 4733 digits are not in the audio, so they are passed on as events; an in-band
    // digit already reaches the other leg in the bridged audio.
    if (source === 'rfc4733' && this.bridged?.stream.hasTelephoneEvent) this.bridged.stream.sendDigits(digit, 100, 0);
    this.safeEmit('dtmf', { digit, source });
  };

  private startPlayback(clips: Int16Array[], opts: PlayOptions): Promise<PlayOutcome> {
    if (this.destroyed) return Promise.resolve({ reason: 'hangup', playedMs: 0 });
    if (opts.signal?.aborted) return Promise.resolve({ reason: 'stopped', playedMs: 0 });
    this.stream.playback?.finish('stopped');
    return new Promise((resolve) => {
      const onAbort = (): void => p.finish('stopped');
      const p = new Playback(clips, opts.loop ?? 1, opts.bargeIn ?? false, (o) => {
        opts.signal?.removeEventListener('abort', onAbort);
        if (this.stream.playback === p) this.stream.playback = undefined;
        resolve(o);
      });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (!this.stream.busy) this.ctx.clock.hurry(this.stream);
      this.stream.playback = p;
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

  /** Listener errors must not reach the packet path. */
  private safeEmit(event: string, ...args: unknown[]): void {
    emitSafely(this, this.ctx.log, this.callId, event, ...args);
  }
}
