import { rename, rm } from 'node:fs/promises';
import { FRAME_SAMPLES } from '../audio/format.js';
import { mixWavFiles } from '../audio/mix.js';
import { WavFileWriter } from '../audio/wav.js';
import type { CallRecorder, CallRecordingOptions, PauseBehavior, RecordOutcome } from '../../types.js';
import { trimFile } from './recording.js';

const SILENT_FRAME = new Int16Array(FRAME_SAMPLES);
/**
 * Frames from the peer waiting for their tick. Packets arrive on their own
 * schedule (jitter, bursts); more than this waiting means the peer sends
 * faster than the clock, and the oldest go.
 */
const MAX_WAITING_FRAMES = 5;
/**
 * A burst leaves frames waiting that a steady peer never drains: when more
 * than one has been left after each tick for this many ticks (half a
 * second), the oldest goes, so the peer's track comes back in step.
 */
const BACKLOG_TICKS = 25;

type CallRecordingOutcome = RecordOutcome & { channels: 1 | 2 };

/**
 * A call recording on the embedded engine. Every tick of the media clock
 * writes one 20 ms frame of each recorded track: the peer's oldest frame
 * not yet written (or silence), and what the endpoint sent in that tick (or
 * silence). So the two tracks keep the call's time and each other's, and
 * stay in step through prompts, bridges, holds and silence suppression.
 * Each track goes to a file of its own, joined into the recording at the end.
 */
export class CallTap implements CallRecorder {
  private readonly waiting: Int16Array[] = [];
  private backlogTicks = 0;
  private pausedAs: PauseBehavior | undefined;
  private outcome: Promise<CallRecordingOutcome> | undefined;

  private constructor(
    private readonly opts: CallRecordingOptions,
    private readonly inbound: WavFileWriter | undefined,
    private readonly outbound: WavFileWriter | undefined,
    private readonly detach: (tap: CallTap) => void,
  ) {}

  static async open(opts: CallRecordingOptions, detach: (tap: CallTap) => void): Promise<CallTap> {
    const inbound = opts.track === 'outbound' ? undefined : await WavFileWriter.open(`${opts.path}.inbound.wav`);
    let outbound: WavFileWriter | undefined;
    try {
      outbound = opts.track === 'inbound' ? undefined : await WavFileWriter.open(`${opts.path}.outbound.wav`);
    } catch (err) {
      await inbound?.close().catch(() => undefined);
      if (inbound) await rm(inbound.path, { force: true }).catch(() => undefined);
      throw err;
    }
    return new CallTap(opts, inbound, outbound, detach);
  }

  get paused(): boolean {
    return this.pausedAs !== undefined;
  }

  /** Whether the peer's audio should be decoded for this recording. */
  get wantsInbound(): boolean {
    return this.inbound !== undefined && this.outcome === undefined;
  }

  /** Takes effect at the next tick: nothing of the paused audio is written. */
  pause(behavior: PauseBehavior): Promise<void> {
    if (this.outcome === undefined) this.pausedAs = behavior;
    return Promise.resolve();
  }

  resume(): Promise<void> {
    this.pausedAs = undefined;
    return Promise.resolve();
  }

  /** A frame of the peer's audio; it is written on a coming tick. */
  onInbound(frame: Int16Array): void {
    if (!this.wantsInbound) return;
    this.waiting.push(frame);
    if (this.waiting.length > MAX_WAITING_FRAMES) this.waiting.shift();
  }

  /** A clock tick: `sent` is what went to the peer in it; `skipped` ticks before it sent nothing. */
  onTick(sent: Int16Array | undefined, skipped: number): void {
    if (this.outcome !== undefined) return;
    for (let i = 0; i < skipped; i++) this.writeTick(undefined);
    this.writeTick(sent);
  }

  private writeTick(sent: Int16Array | undefined): void {
    const heard = this.waiting.shift();
    this.backlogTicks = this.waiting.length > 1 ? this.backlogTicks + 1 : 0;
    if (this.backlogTicks >= BACKLOG_TICKS) {
      this.waiting.shift();
      this.backlogTicks = 0;
    }
    if (this.pausedAs === 'skip') return;
    const silent = this.pausedAs === 'silence';
    this.inbound?.write(silent || !heard ? SILENT_FRAME : heard);
    this.outbound?.write(silent || !sent ? SILENT_FRAME : sent);
  }

  stop(): Promise<CallRecordingOutcome> {
    return this.end('stopped');
  }

  /** Ends the recording: stopped, or cut by the endpoint's end ('hangup'). */
  end(reason: 'stopped' | 'hangup'): Promise<CallRecordingOutcome> {
    this.outcome ??= this.finish(reason);
    return this.outcome;
  }

  private async finish(reason: 'stopped' | 'hangup'): Promise<CallRecordingOutcome> {
    this.detach(this);
    this.waiting.length = 0;
    const parts = [this.inbound, this.outbound].filter((w): w is WavFileWriter => w !== undefined);
    const closed = await Promise.allSettled(parts.map((w) => w.close()));
    const failed = closed.find((c): c is PromiseRejectedResult => c.status === 'rejected');
    const paths = parts.map((w) => w.path);
    try {
      if (failed) throw failed.reason;
      const { path, trim } = this.opts;
      if (paths.length === 1) {
        await rename(paths[0]!, path);
        const durationMs = trim ? await trimFile(path) : ((closed[0] as PromiseFulfilledResult<{ durationMs: number }>).value.durationMs);
        return { reason, path, durationMs: Math.round(durationMs), channels: 1 };
      }
      const { durationMs } = await mixWavFiles(paths, path, this.opts.channels, { trim });
      return { reason, path, durationMs, channels: this.opts.channels };
    } finally {
      await Promise.all(paths.map((p) => rm(p, { force: true }).catch(() => undefined)));
    }
  }
}
