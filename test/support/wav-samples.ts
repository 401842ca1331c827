/** Reading recordings in tests: a WAV file's channels, and a stretch of samples by time (8 kHz). */

/** The channels of a 16-bit PCM WAV file with the canonical 44-byte header dialtone writes. */
export function channelsOf(buf: Buffer): Int16Array[] {
  const channels = buf.readUInt16LE(22);
  const pcm = new Int16Array(buf.buffer.slice(buf.byteOffset + 44, buf.byteOffset + buf.length));
  return Array.from({ length: channels }, (_, c) => pcm.filter((_, i) => i % channels === c));
}

/** The samples between two times, in ms from the start. */
export function between(samples: Int16Array, fromMs: number, toMs: number): Int16Array {
  return samples.subarray(Math.round((fromMs * 8000) / 1000), Math.round((toMs * 8000) / 1000));
}
