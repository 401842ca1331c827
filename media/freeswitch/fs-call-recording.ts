/**
 * A call recording on FreeSWITCH: one media bug (uuid_record) per recorded
 * track, running beside whatever the channel does. A pause masks the bugs
 * (FreeSWITCH writes silence meanwhile); a skipping pause is masked too and
 * its stretch is cut out when the tracks are joined, so the file and its
 * length are the same as the embedded engine's.
 */
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { mixWavFiles } from '../embedded/audio/mix.js';
import { MediaError } from '../errors.js';
import type { CallRecorder, CallRecordingOptions, PauseBehavior, RecordOutcome } from '../types.js';
import { untilAborted, type FsChannel } from './fs-channel.js';
import { collectRecording, freeswitchRecordingPath, type RecordingPlaces } from './fs-recording-file.js';

/** How long a recording cut by a hangup waits for FreeSWITCH to close its files. */
const CLOSE_WAIT_MS = 500;

type Track = 'inbound' | 'outbound';
type CallRecordingOutcome = RecordOutcome & { channels: 1 | 2 };

export class FsCallRecording implements CallRecorder {
  private readonly startedAt = performance.now();
  private pausedAs: PauseBehavior | undefined;
  private pausedAt = 0;
  private readonly cuts: { fromMs: number; toMs: number }[] = [];
  private outcome: Promise<CallRecordingOutcome> | undefined;

  private constructor(
    private readonly ch: FsChannel,
    private readonly places: RecordingPlaces,
    private readonly opts: CallRecordingOptions,
    private readonly parts: readonly { track: Track; target: string; file: string }[],
    private readonly life: AbortSignal,
    private readonly detach: (r: FsCallRecording) => void,
  ) {}

  static async start(ch: FsChannel, places: RecordingPlaces, opts: CallRecordingOptions, life: AbortSignal, detach: (r: FsCallRecording) => void): Promise<FsCallRecording> {
    const tracks: Track[] = opts.track === 'both' ? ['inbound', 'outbound'] : [opts.track];
    const parts = tracks.map((track) => {
      const target = `${opts.path}.${track}.wav`;
      return { track, target, file: freeswitchRecordingPath(places, target) };
    });
    for (const part of parts) {
      // FreeSWITCH reads these when the bug starts: read = what the peer sends, write = what it is sent.
      await untilAborted(ch.fs.set({ RECORD_READ_ONLY: String(part.track === 'inbound'), RECORD_WRITE_ONLY: String(part.track === 'outbound') }), life);
      const started = await ch.api('uuid_record', [ch.uuid, 'start', part.file]);
      if (started !== undefined && !started.startsWith('+OK')) throw new MediaError('io', `FreeSWITCH could not start a call recording: ${started.trim()}`);
    }
    return new FsCallRecording(ch, places, opts, parts, life, detach);
  }

  get paused(): boolean {
    return this.pausedAs !== undefined;
  }

  pause(behavior: PauseBehavior): void {
    if (this.outcome !== undefined) return;
    if (this.pausedAs === undefined) {
      this.pausedAt = performance.now();
      this.mask('mask');
    } else if (this.pausedAs !== behavior) this.closePause();
    this.pausedAs = behavior;
  }

  resume(): void {
    if (this.pausedAs === undefined || this.outcome !== undefined) return;
    this.closePause();
    this.pausedAs = undefined;
    this.mask('unmask');
  }

  stop(): Promise<CallRecordingOutcome> {
    return this.end('stopped');
  }

  end(reason: 'stopped' | 'hangup'): Promise<CallRecordingOutcome> {
    this.outcome ??= this.finish(reason);
    return this.outcome;
  }

  /** The pause so far ends here (a skipping one becomes a cut); a new one may start at once. */
  private closePause(): void {
    const now = performance.now();
    if (this.pausedAs === 'skip') this.cuts.push({ fromMs: this.pausedAt - this.startedAt, toMs: now - this.startedAt });
    this.pausedAt = now;
  }

  private mask(how: 'mask' | 'unmask'): void {
    for (const part of this.parts) this.ch.api('uuid_record', [this.ch.uuid, how, part.file]).catch(() => undefined);
  }

  private async finish(reason: 'stopped' | 'hangup'): Promise<CallRecordingOutcome> {
    this.detach(this);
    if (this.pausedAs !== undefined) this.closePause();
    if (this.life.aborted) await sleep(CLOSE_WAIT_MS);
    else await Promise.all(this.parts.map((p) => this.ch.api('uuid_record', [this.ch.uuid, 'stop', p.file]).catch(() => undefined)));
    const targets = this.parts.map((p) => p.target);
    try {
      for (const target of targets) await collectRecording(this.places, target, {});
      const channels = targets.length === 2 ? this.opts.channels : 1;
      const { durationMs } = await mixWavFiles(targets, this.opts.path, channels, { trim: this.opts.trim, cuts: this.cuts });
      return { reason: this.life.aborted ? 'hangup' : reason, path: this.opts.path, durationMs, channels };
    } finally {
      await Promise.all(targets.map((t) => rm(t, { force: true }).catch(() => undefined)));
    }
  }
}
