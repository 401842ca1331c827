/**
 * Energy-based voice activity detection, silence trimming and a frequency
 * estimator for checking tones.
 */
import { SAMPLE_RATE } from '../audio/format.js';
import { fft } from './fft.js';

/** Level reported for digital silence, instead of -Infinity. */
export const SILENCE_FLOOR_DBFS = -120;

/** RMS level of a frame in dB relative to a full-scale square wave (a full-scale sine is -3 dBFS). */
export function rmsDbfs(frame: Int16Array): number {
  if (frame.length === 0) return SILENCE_FLOOR_DBFS;
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += frame[i] * frame[i];
  const rms = Math.sqrt(sum / frame.length);
  if (rms === 0) return SILENCE_FLOOR_DBFS;
  return Math.max(SILENCE_FLOOR_DBFS, 20 * Math.log10(rms / 32768));
}

export interface SilenceOptions {
  /** Frames at or above this RMS level are loud (default -40 dBFS). */
  thresholdDbfs?: number;
  /** After speech, quiet frames still count as speech for this long (default 200 ms). */
  hangoverMs?: number;
  /** Loud audio must last this long to count as speech, so clicks do not (default 40 ms). */
  minSpeechMs?: number;
  sampleRate?: number;
}

/**
 * Tells speech from silence frame by frame, e.g. to end a recording after
 * N seconds of silence or to detect that the caller started talking.
 */
export class SilenceDetector {
  /** Continuous silence so far, in ms (0 while speech is going on). */
  silentMs = 0;
  /** Whether speech has been heard since this detector was created. */
  heardSpeech = false;

  private readonly threshold: number;
  private readonly hangoverMs: number;
  private readonly minSpeechMs: number;
  private readonly sampleRate: number;
  /** Loud audio not yet long enough to be speech. */
  private pendingLoudMs = 0;
  private inSpeech = false;

  constructor(opts: SilenceOptions = {}) {
    this.threshold = opts.thresholdDbfs ?? -40;
    this.hangoverMs = opts.hangoverMs ?? 200;
    this.minSpeechMs = opts.minSpeechMs ?? 40;
    this.sampleRate = opts.sampleRate ?? SAMPLE_RATE;
  }

  /** Feed one frame; returns true when the frame is speech (including the hangover after it). */
  push(frame: Int16Array): boolean {
    const ms = (frame.length * 1000) / this.sampleRate;
    if (rmsDbfs(frame) >= this.threshold) {
      this.pendingLoudMs += ms;
      if (this.inSpeech || this.pendingLoudMs >= this.minSpeechMs) {
        this.inSpeech = true;
        this.heardSpeech = true;
        this.silentMs = 0;
        return true;
      }
      this.silentMs += ms;
      return false;
    }
    this.pendingLoudMs = 0;
    this.silentMs += ms;
    if (this.inSpeech && this.silentMs <= this.hangoverMs) return true;
    this.inSpeech = false;
    return false;
  }
}

export interface TrimOptions {
  /** Level below which audio is silence (default -40 dBFS). */
  thresholdDbfs?: number;
  /** Analysis window (default 10 ms). */
  frameMs?: number;
  /** Silence kept before the first and after the last loud window (default 0). */
  paddingMs?: number;
  sampleRate?: number;
}

/** Remove leading and trailing silence. All-silent input gives an empty array. */
export function trimSilence(samples: Int16Array, opts: TrimOptions = {}): Int16Array {
  const { start, end } = soundRange(samples, opts);
  return samples.slice(start, end);
}

/** Where the sound in `samples` starts and ends (end exclusive); all-silent input gives an empty range. */
export function soundRange(samples: Int16Array, opts: TrimOptions = {}): { start: number; end: number } {
  const threshold = opts.thresholdDbfs ?? -40;
  const rate = opts.sampleRate ?? SAMPLE_RATE;
  const win = Math.max(1, Math.round(((opts.frameMs ?? 10) * rate) / 1000));
  const pad = Math.round(((opts.paddingMs ?? 0) * rate) / 1000);
  const loud = (start: number): boolean => rmsDbfs(samples.subarray(start, start + win)) >= threshold;
  let first = -1;
  for (let s = 0; s < samples.length; s += win) {
    if (loud(s)) {
      first = s;
      break;
    }
  }
  if (first < 0) return { start: 0, end: 0 };
  let end = samples.length;
  for (let s = Math.floor((samples.length - 1) / win) * win; s >= first; s -= win) {
    if (loud(s)) {
      end = Math.min(samples.length, s + win);
      break;
    }
  }
  return { start: Math.max(0, first - pad), end: Math.min(samples.length, end + pad) };
}

/**
 * Frequency (Hz) of the strongest spectral peak, from a Hann-windowed FFT
 * over up to 2^16 samples with parabolic interpolation between bins.
 * Returns 0 for silence or fewer than 16 samples.
 */
export function dominantFrequency(samples: Int16Array, sampleRate: number): number {
  if (samples.length < 16) return 0;
  let n = 1;
  while (n < samples.length && n < 65536) n <<= 1;
  const used = Math.min(samples.length, n);
  const offset = Math.floor((samples.length - used) / 2); // the middle of a long signal
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < used; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (used - 1));
    re[i] = samples[offset + i] * w;
  }
  fft(re, im);
  let best = 1;
  let bestMag = -1;
  const mags = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    mags[k] = re[k] * re[k] + im[k] * im[k];
    if (k > 0 && mags[k] > bestMag) {
      bestMag = mags[k];
      best = k;
    }
  }
  if (bestMag <= 0) return 0;
  let delta = 0;
  if (best > 0 && best < n / 2) {
    const a = Math.log(mags[best - 1] + 1e-12);
    const b = Math.log(mags[best] + 1e-12);
    const c = Math.log(mags[best + 1] + 1e-12);
    const denom = a - 2 * b + c;
    if (denom !== 0) delta = (0.5 * (a - c)) / denom;
  }
  return ((best + delta) * sampleRate) / n;
}
