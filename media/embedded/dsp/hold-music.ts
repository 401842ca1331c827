import { SAMPLE_RATE } from '../audio/format.js';

/**
 * The engine's own hold music: a slow arpeggio over four chords (C, A
 * minor, F, G), each note a soft sine with its octave and fifth above it,
 * a quick attack and a long decay, under a quiet sustained bass. About 19
 * seconds, made to loop without a seam (the last chord leads to the first).
 * Generated, not recorded, so it ships as code.
 */

const BEAT_S = 0.6;
const NOTES_PER_CHORD = 8;
/** MIDI note numbers: each chord's arpeggio (lowest to highest) and its bass. */
const CHORDS: readonly { notes: readonly number[]; bass: number }[] = [
  { notes: [60, 64, 67, 72], bass: 48 },
  { notes: [57, 60, 64, 69], bass: 45 },
  { notes: [53, 57, 60, 65], bass: 41 },
  { notes: [55, 59, 62, 67], bass: 43 },
];
/** The order of the chord's notes within a bar: up, then back down. */
const PATTERN = [0, 1, 2, 3, 2, 1, 2, 1] as const;

const frequency = (midi: number): number => 440 * 2 ** ((midi - 69) / 12);

/** Adds a plucked note: partials 1, 2 and 3 at falling levels, 8 ms attack, exponential decay. */
function addNote(out: Float32Array, startS: number, lengthS: number, freq: number, level: number): void {
  const start = Math.round(startS * SAMPLE_RATE);
  const n = Math.round(lengthS * SAMPLE_RATE);
  const attack = Math.round(0.008 * SAMPLE_RATE);
  const w = (2 * Math.PI * freq) / SAMPLE_RATE;
  for (let i = 0; i < n; i++) {
    const env = (i < attack ? i / attack : 1) * Math.exp((-3.5 * i) / n) * (1 - i / n);
    const t = i * w;
    const v = Math.sin(t) + 0.3 * Math.sin(2 * t) + 0.12 * Math.sin(3 * t);
    out[(start + i) % out.length]! += level * env * v;
  }
}

/** Adds a held bass note that swells in and out over the bar. */
function addBass(out: Float32Array, startS: number, lengthS: number, freq: number, level: number): void {
  const start = Math.round(startS * SAMPLE_RATE);
  const n = Math.round(lengthS * SAMPLE_RATE);
  const w = (2 * Math.PI * freq) / SAMPLE_RATE;
  for (let i = 0; i < n; i++) {
    const env = Math.sin((Math.PI * i) / n);
    out[(start + i) % out.length]! += level * env * (Math.sin(i * w) + 0.25 * Math.sin(2 * i * w));
  }
}

let cached: Int16Array | undefined;

/** The hold music as 8 kHz 16-bit PCM (made once, then shared). */
export function holdMusic(): Int16Array {
  if (cached) return cached;
  const barS = BEAT_S * NOTES_PER_CHORD;
  const mix = new Float32Array(Math.round(barS * CHORDS.length * SAMPLE_RATE));
  CHORDS.forEach((chord, bar) => {
    const barStart = bar * barS;
    addBass(mix, barStart, barS, frequency(chord.bass), 0.12);
    PATTERN.forEach((idx, k) => addNote(mix, barStart + k * BEAT_S, BEAT_S * 2.5, frequency(chord.notes[idx]!), 0.16));
  });
  let peak = 0;
  for (const v of mix) peak = Math.max(peak, Math.abs(v));
  // About -12 dBFS at its loudest: clearly audible, never harsh.
  const gain = (0.25 * 32767) / (peak || 1);
  cached = Int16Array.from(mix, (v) => Math.round(v * gain));
  return cached;
}
