import type { PlayOutcome } from '../../types.js';

const EMPTY = new Int16Array(0);

/**
 * A prompt being played: a list of 8 kHz clips, played `loop` times (0 =
 * until stopped), handed out one 20 ms frame per clock tick.
 */
export class Playback {
  private clip = 0;
  private pos = 0;
  private round = 0;
  private framesSent = 0;
  private done = false;

  constructor(
    private readonly clips: Int16Array[],
    private readonly loop: number,
    readonly bargeIn: boolean,
    private readonly resolve: (o: PlayOutcome) => void,
  ) {}

  /**
   * The frame handed out by the last successful next(): samples
   * [segmentStart, segmentStart + segmentLength) of segmentClip, then
   * silence to the end of the frame (a frame never spans two clips).
   */
  segmentClip: Int16Array = EMPTY;
  segmentStart = 0;
  segmentLength = 0;

  /**
   * Moves to the next frame of `frameSamples` samples and describes it in
   * the segment fields. Returns false, leaving them alone, when nothing is left.
   */
  next(frameSamples: number): boolean {
    if (this.done) return false;
    for (;;) {
      if (this.clip >= this.clips.length) {
        this.round++;
        if (this.loop !== 0 && this.round >= this.loop) return false;
        this.clip = 0;
        this.pos = 0;
        if (this.clips.every((c) => c.length === 0)) return false;
      }
      const c = this.clips[this.clip];
      const take = Math.min(frameSamples, c.length - this.pos);
      if (take === 0) {
        this.clip++;
        this.pos = 0;
        continue;
      }
      this.segmentClip = c;
      this.segmentStart = this.pos;
      this.segmentLength = take;
      this.pos += take;
      // A clip ends on a frame boundary: the next clip starts in the next frame.
      if (this.pos >= c.length) {
        this.clip++;
        this.pos = 0;
      }
      this.framesSent++;
      return true;
    }
  }

  /**
   * Copies the next frame into `out` (the tail of a clip is padded with
   * silence). Returns false, without touching `out`, when nothing is left.
   */
  fill(out: Int16Array): boolean {
    if (!this.next(out.length)) return false;
    const n = this.segmentLength;
    const c = this.segmentClip;
    const start = this.segmentStart;
    for (let i = 0; i < n; i++) out[i] = c[start + i];
    if (n < out.length) out.fill(0, n);
    return true;
  }

  get active(): boolean {
    return !this.done;
  }

  finish(reason: PlayOutcome['reason'], digit?: string): void {
    if (this.done) return;
    this.done = true;
    const outcome: PlayOutcome = { reason, playedMs: this.framesSent * 20 };
    if (digit !== undefined) outcome.digit = digit;
    this.resolve(outcome);
  }
}
