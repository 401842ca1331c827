import { readFile, writeFile } from 'node:fs/promises';
import { FRAME_SAMPLES, SAMPLE_RATE } from '../audio/format.js';
import { decodeWav, encodeWav, type WavFileWriter } from '../audio/wav.js';
import { SilenceDetector, trimSilence } from '../dsp/silence.js';
import { MediaError } from '../../errors.js';
import type { RecordOptions, RecordOutcome } from '../../types.js';

const SILENT_FRAME = new Int16Array(FRAME_SAMPLES);
/** When no audio arrives for this long, the gap is filled with silence so time keeps counting. */
const GAP_FILL_MS = 100;

/**
 * A recording in progress: the peer's decoded audio goes to a WAV file until
 * the maximum length, a finish key, enough silence, a stop or a hangup.
 */
export class Recording {
  private samples = 0;
  private readonly maxSamples: number;
  private readonly silence = new SilenceDetector();
  private readonly startedAt = performance.now();
  private done = false;

  constructor(
    private readonly writer: WavFileWriter,
    private readonly opts: RecordOptions,
    private readonly resolve: (o: RecordOutcome) => void,
    private readonly reject: (e: unknown) => void,
  ) {
    this.maxSamples = opts.maxLengthMs !== undefined ? Math.round((opts.maxLengthMs * SAMPLE_RATE) / 1000) : Infinity;
  }

  get active(): boolean {
    return !this.done;
  }

  /** Whether this digit ends the recording (the digit is then consumed). */
  takesDigit(digit: string): boolean {
    return !this.done && (this.opts.finishOnKey ?? '').includes(digit);
  }

  /** One frame of the peer's audio. */
  onAudio(frame: Int16Array): void {
    if (this.done) return;
    const room = this.maxSamples - this.samples;
    const chunk = frame.length > room ? frame.subarray(0, room) : frame;
    this.writer.write(chunk);
    this.samples += chunk.length;
    this.silence.push(chunk);
    if (this.samples >= this.maxSamples) this.finish('max-length');
    else if (this.opts.silenceTimeoutMs !== undefined && this.silence.silentMs >= this.opts.silenceTimeoutMs) {
      this.finish('silence');
    }
  }

  /** Clock tick: when the peer sends nothing (hold, silence suppression), time still passes. */
  onTick(nowMs: number): void {
    if (this.done) return;
    const due = ((nowMs - this.startedAt) * SAMPLE_RATE) / 1000;
    if (due - this.samples < (GAP_FILL_MS * SAMPLE_RATE) / 1000) return;
    while (!this.done && this.samples < due - FRAME_SAMPLES * 3) this.onAudio(SILENT_FRAME);
  }

  finish(reason: RecordOutcome['reason'], digit?: string): void {
    if (this.done) return;
    this.done = true;
    void this.close(reason, digit);
  }

  private async close(reason: RecordOutcome['reason'], digit?: string): Promise<void> {
    try {
      const { path, durationMs } = await this.writer.close();
      const outcome: RecordOutcome = { reason, path, durationMs };
      if (digit !== undefined) outcome.digit = digit;
      if (this.opts.trim) outcome.durationMs = await trimFile(path);
      this.resolve(outcome);
    } catch (err) {
      this.reject(err);
    }
  }
}

/** Rewrites a WAV file without its leading and trailing silence; returns the new length in ms. */
export async function trimFile(path: string): Promise<number> {
  try {
    const trimmed = trimSilence(decodeWav(await readFile(path), path));
    await writeFile(path, encodeWav(trimmed));
    return (trimmed.length * 1000) / SAMPLE_RATE;
  } catch (err) {
    if (err instanceof MediaError) throw err;
    throw new MediaError('io', `cannot trim recording "${path}": ${(err as Error).message}`, { cause: err });
  }
}
