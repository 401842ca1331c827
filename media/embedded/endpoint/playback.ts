import type { PlayOutcome } from '../../types.js';

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
   * Copies the next frame into `out` (the tail of a clip is padded with
   * silence). Returns false, without touching `out`, when nothing is left.
   */
  fill(out: Int16Array): boolean {
    if (this.done) return false;
    const n = out.length;
    let written = 0;
    while (written < n) {
      if (this.clip >= this.clips.length) {
        this.round++;
        if (this.loop !== 0 && this.round >= this.loop) break;
        this.clip = 0;
        this.pos = 0;
        if (this.clips.every((c) => c.length === 0)) break;
      }
      const c = this.clips[this.clip];
      const take = Math.min(n - written, c.length - this.pos);
      for (let i = 0; i < take; i++) out[written + i] = c[this.pos + i];
      written += take;
      this.pos += take;
      if (this.pos >= c.length) {
        this.clip++;
        this.pos = 0;
        // A clip ends on a frame boundary: the next clip starts in the next frame.
        if (written > 0) break;
      }
    }
    if (written === 0) return false;
    if (written < n) out.fill(0, written);
    this.framesSent++;
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
