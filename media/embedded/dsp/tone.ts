/** Tone generation: arbitrary sine mixtures, DTMF digits (ITU-T Q.23) and a beep. */
import { MediaError } from '../../errors.js';
import { SAMPLE_RATE } from '../audio/format.js';

/** Q.23 low-group (row) and high-group (column) frequencies, Hz. */
export const DTMF_ROWS = [697, 770, 852, 941] as const;
export const DTMF_COLS = [1209, 1336, 1477, 1633] as const;
/** Keypad layout: DTMF_KEYS[row][col]. */
export const DTMF_KEYS = ['123A', '456B', '789C', '*0#D'] as const;

export interface ToneOptions {
  /** Raised-cosine fade in and out, to avoid clicks (default 0). */
  rampMs?: number;
  sampleRate?: number;
}

/**
 * A mixture of equal-amplitude sines.
 * @param amplitude peak of the mixture as a fraction of full scale (default 0.5)
 */
export function generateTone(
  freqs: number[],
  durationMs: number,
  amplitude = 0.5,
  opts: ToneOptions = {},
): Int16Array {
  const rate = opts.sampleRate ?? SAMPLE_RATE;
  const n = Math.max(0, Math.round((durationMs * rate) / 1000));
  const out = new Int16Array(n);
  if (freqs.length === 0 || n === 0) return out;
  const a = (Math.min(1, Math.max(0, amplitude)) * 32767) / freqs.length;
  const ramp = Math.min(Math.floor(n / 2), Math.round(((opts.rampMs ?? 0) * rate) / 1000));
  const steps = freqs.map((f) => (2 * Math.PI * f) / rate);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (const w of steps) v += Math.sin(w * i);
    let gain = a;
    if (ramp > 0) {
      const edge = Math.min(i, n - 1 - i);
      if (edge < ramp) gain *= 0.5 - 0.5 * Math.cos((Math.PI * edge) / ramp);
    }
    out[i] = Math.round(v * gain);
  }
  return out;
}

/** Row and column frequency of a DTMF key, or null when it is not one. */
export function dtmfFrequencies(digit: string): [number, number] | null {
  const key = digit.toUpperCase();
  for (let r = 0; r < 4; r++) {
    const c = DTMF_KEYS[r].indexOf(key);
    if (key.length === 1 && c >= 0) return [DTMF_ROWS[r], DTMF_COLS[c]];
  }
  return null;
}

/** The tone pair of a keypad key (0-9, *, #, A-D), each tone at about -9 dBFS. */
export function dtmfTone(digit: string, durationMs: number): Int16Array {
  const freqs = dtmfFrequencies(digit);
  if (freqs === null) throw new MediaError('bad-audio', `"${digit}" is not a DTMF digit (0-9, *, #, A-D)`);
  return generateTone(freqs, durationMs, 0.7);
}

/** The beep before a recording: 1 kHz for 250 ms at half scale, with 5 ms fades. */
export function beep(): Int16Array {
  return generateTone([1000], 250, 0.5, { rampMs: 5 });
}
