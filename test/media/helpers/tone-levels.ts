/**
 * How loud each of a few known tones is in some audio: the Goertzel
 * filter's amplitude at each frequency, as a fraction of full scale. A tone
 * sent at amplitude 0.3 measures about 0.3; a tone that is absent measures
 * near 0, whatever else is in the audio.
 */
export function toneLevel(pcm: Int16Array, freqHz: number, sampleRate = 8000): number {
  const n = pcm.length;
  if (n === 0) return 0;
  const coeff = 2 * Math.cos((2 * Math.PI * freqHz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = pcm[i]! / 32768 + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / n;
}

/** The level of each frequency, rounded to three places, for readable failures. */
export function toneLevels(pcm: Int16Array, freqs: readonly number[]): Record<number, number> {
  return Object.fromEntries(freqs.map((f) => [f, Math.round(toneLevel(pcm, f) * 1000) / 1000]));
}

/** Joins 20 ms frames into one buffer. */
export function concatPcm(frames: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
  let off = 0;
  for (const f of frames) {
    out.set(f, off);
    off += f.length;
  }
  return out;
}
