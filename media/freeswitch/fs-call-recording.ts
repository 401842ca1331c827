/**
 * A call recording on FreeSWITCH: one media bug (uuid_record) per recorded
 * track, running beside whatever the channel does. A pause masks the bugs
 * (FreeSWITCH writes silence meanwhile) and is answered only once
 * FreeSWITCH has taken it; a skipping pause is masked too and its stretch
 * is cut out when the tracks are joined, so the file and its length are
 * the same as the embedded engine's.
 */
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { mixWavFiles } from '../embedded/audio/mix.js';
import { MediaError } from '../errors.js';
import type { CallRecorder, CallRecordingOptions, PauseBehavior, RecordOutcome } from '../types.js';
import type { FsChannel } from './fs-channel.js';
import { collectRecording, freeswitchRecordingPath, type RecordingPlaces } from './fs-recording-file.js';

/** How long a recording cut by a hangup waits for FreeSWITCH to close its files. */
const CLOSE_WAIT_MS = 500;

type Track = 'inbound' | 'outbound';
type CallRecordingOutcome = RecordOutcome & { channels: 1 | 2 };
interface Part {
  track: Track;
  /** Where the engine wants the track's file, and where FreeSWITCH writes it. */
  target: string;
  file: string;
}

/**
 * Starts a media bug on the channel: FreeSWITCH reads the RECORD_* channel
 * variables when it starts one, so setting them and starting is one step
 * per endpoint (freeswitch-endpoint.ts), never interleaved with another.
 */
export type StartBug = (vars: Record<string, string>, file: string) => Promise<void>;

export class FsCallRecording implements CallRecorder {
  private pausedAs: PauseBehavior | undefined;
  private pausedAt = 0;
  private readonly cuts: { fromMs: number; toMs: number }[] = [];
  private outcome: Promise<CallRecordingOutcome> | undefined;

  private constructor(
    private readonly ch: FsChannel,
    private readonly places: RecordingPlaces,
    private readonly opts: CallRecordingOptions,
    private readonly parts: readonly Part[],
    private readonly startedAt: number,
    private readonly life: AbortSignal,
    private readonly detach: (r: FsCallRecording) => void,
  ) {}

  static async start(
    ch: FsChannel,
    places: RecordingPlaces,
    opts: CallRecordingOptions,
    startBug: StartBug,
    life: AbortSignal,
    detach: (r: FsCallRecording) => void,
  ): Promise<FsCallRecording> {
    const tracks: Track[] = opts.track === 'both' ? ['inbound', 'outbound'] : [opts.track];
    const parts = tracks.map((track) => {
      const target = `${opts.path}.${track}.wav`;
      return { track, target, file: freeswitchRecordingPath(places, target) };
    });
    const startedAt = performance.now();
    const started: Part[] = [];
    try {
      for (const part of parts) {
        // read = what the peer sends (inbound), write = what it is sent (outbound).
        await startBug({ RECORD_READ_ONLY: String(part.track === 'inbound'), RECORD_WRITE_ONLY: String(part.track === 'outbound') }, part.file);
        started.push(part);
      }
    } catch (err) {
      // What started must not go on writing where nothing will collect it.
      await Promise.all(started.map((p) => ch.api('uuid_record', [ch.uuid, 'stop', p.file]).catch(() => undefined)));
      await Promise.all(started.map((p) => rm(p.file, { force: true }).catch(() => undefined)));
      throw err;
    }
    return new FsCallRecording(ch, places, opts, parts, startedAt, life, detach);
  }

  get paused(): boolean {
    return this.pausedAs !== undefined;
  }

  async pause(behavior: PauseBehavior): Promise<void> {
    if (this.outcome !== undefined) return;
    if (this.pausedAs === undefined) {
      await this.mask('mask');
      this.pausedAt = performance.now();
    } else if (this.pausedAs !== behavior) this.closePause();
    this.pausedAs = behavior;
  }

  async resume(): Promise<void> {
    if (this.pausedAs === undefined || this.outcome !== undefined) return;
    await this.mask('unmask');
    this.closePause();
    this.pausedAs = undefined;
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

  /** Masks or unmasks every bug; rejects unless FreeSWITCH took it on each. */
  private async mask(how: 'mask' | 'unmask'): Promise<void> {
    const answers = await Promise.all(this.parts.map((part) => this.ch.api('uuid_record', [this.ch.uuid, how, part.file])));
    const refused = answers.find((a) => a !== undefined && !a.startsWith('+OK'));
    if (refused !== undefined) throw new MediaError('io', `FreeSWITCH could not ${how} the call recording: ${refused.trim()}`);
    if (answers.includes(undefined)) throw new MediaError('destroyed', `the call ended before FreeSWITCH could ${how} its recording`);
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
      const left = [...targets, ...this.parts.map((p) => p.file)];
      await Promise.all(left.map((f) => rm(f, { force: true }).catch(() => undefined)));
    }
  }
}
