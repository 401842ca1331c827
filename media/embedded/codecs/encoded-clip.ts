/**
 * A prompt clip encoded once with a sample-wise codec (G.711: one code byte
 * per sample, no state between samples), shared by every stream that plays
 * it: a tick then copies 160 ready bytes instead of encoding 160 samples.
 *
 * The clip is encoded lazily, a block at a time ahead of what is read, so
 * that starting a long prompt never costs the clock tick more than a block.
 */
const BLOCK_SAMPLES = 8000; // 1 s at 8 kHz, ~10 us of table look-ups

export class EncodedClip {
  readonly bytes: Buffer;
  /** Samples [0, ready) are encoded. */
  private ready = 0;

  constructor(
    private readonly clip: Int16Array,
    private readonly table: Uint8Array,
  ) {
    this.bytes = Buffer.alloc(clip.length);
  }

  /** Makes sure samples [0, end) are encoded. */
  ensure(end: number): void {
    const { clip, table, bytes } = this;
    const limit = Math.min(clip.length, end);
    while (this.ready < limit) {
      const stop = Math.min(clip.length, this.ready + BLOCK_SAMPLES);
      for (let i = this.ready; i < stop; i++) bytes[i] = table[clip[i] + 32768];
      this.ready = stop;
    }
  }
}

/**
 * The encoded form of each clip for one encode table, held only as long as
 * the clip itself is (the media cache owns the clips and may drop them).
 */
export class ClipEncoder {
  private readonly clips = new WeakMap<Int16Array, EncodedClip>();
  /** The code of a silent sample, for padding the last frame of a clip. */
  readonly silence: number;

  /** `table` is indexed by sample + 32768. */
  constructor(private readonly table: Uint8Array) {
    this.silence = table[32768];
  }

  get(clip: Int16Array): EncodedClip {
    let e = this.clips.get(clip);
    if (!e) {
      e = new EncodedClip(clip, this.table);
      this.clips.set(clip, e);
    }
    return e;
  }
}
