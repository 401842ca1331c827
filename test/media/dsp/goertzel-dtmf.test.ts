import { describe, expect, it } from 'vitest';
import { InbandDtmfDetector } from '../../../media/embedded/dsp/goertzel-dtmf.js';
import { dtmfTone, generateTone } from '../../../media/embedded/dsp/tone.js';

/** Deterministic pseudo-random generator so that failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Roughly Gaussian white noise with the given RMS. */
function noise(samples: number, rms: number, seed = 1): Int16Array {
  const r = rng(seed);
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) {
    const g = (r() + r() + r() + r() + r() + r() - 3) * Math.SQRT2; // variance 1
    out[i] = Math.max(-32768, Math.min(32767, Math.round(g * rms)));
  }
  return out;
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function mix(a: Int16Array, b: Int16Array): Int16Array {
  const out = new Int16Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Math.max(-32768, Math.min(32767, a[i] + (b[i] ?? 0)));
  return out;
}

/** Run audio through a detector in 20 ms frames, returning the digits and the frame each appeared in. */
function detect(audio: Int16Array, detector = new InbandDtmfDetector()): Array<{ digit: string; frame: number }> {
  const found: Array<{ digit: string; frame: number }> = [];
  for (let f = 0; f * 160 < audio.length; f++) {
    for (const digit of detector.push(audio.subarray(f * 160, f * 160 + 160))) found.push({ digit, frame: f });
  }
  return found;
}

/**
 * 10 s of vowel-like sound: a harmonic source falling 6 dB/octave, pitch
 * gliding around f0, shaped by two moving formant resonances, in syllables.
 */
function vowels(seed: number): Int16Array {
  const f0Base = 90 + 20 * (seed % 9);
  const glide = 40;
  const n = 8000 * 10;
  const out = new Int16Array(n);
  const r = rng(seed);
  const resonance = (f: number, centre: number, bw: number): number =>
    1 / Math.sqrt((1 - (f / centre) ** 2) ** 2 + ((f * bw) / (centre * centre)) ** 2);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / 8000;
    const f0 = f0Base + glide * Math.sin(2 * Math.PI * (0.3 + (seed % 5) * 0.2) * t) + (glide / 3) * Math.sin(2 * Math.PI * 2.3 * t);
    phase += (2 * Math.PI * f0) / 8000;
    const f1 = 500 + 250 * Math.sin(2 * Math.PI * (0.5 + (seed % 3) * 0.3) * t);
    const f2 = 1500 + 600 * Math.sin(2 * Math.PI * (0.3 + (seed % 4) * 0.2) * t);
    let v = 0;
    for (let h = 1; h * f0 < 3500; h++) {
      const fh = h * f0;
      v += ((resonance(fh, f1, 80) * resonance(fh, f2, 100)) / h) * Math.sin(h * phase);
    }
    const syllables = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);
    out[i] = Math.max(-32768, Math.min(32767, Math.round(v * syllables * 600 + (r() - 0.5) * 300)));
  }
  return out;
}

function rms(x: Int16Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length);
}

function scale(x: Int16Array, gain: number): Int16Array {
  return Int16Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v * gain))));
}

const silence = (ms: number): Int16Array => new Int16Array((ms * 8000) / 1000);

describe('InbandDtmfDetector', () => {
  it('detects every key once, in order, from a dialled sequence with gaps', () => {
    const keys = '0123456789*#ABCD';
    const audio = concat([silence(100), ...[...keys].flatMap((k) => [dtmfTone(k, 80), silence(60)])]);
    expect(detect(audio).map((d) => d.digit).join('')).toBe(keys);
  });

  it('reports a digit near its start, once however long the key is held', () => {
    const audio = concat([silence(200), dtmfTone('5', 2000), silence(200)]);
    const found = detect(audio);
    expect(found.map((d) => d.digit)).toEqual(['5']);
    // Tone starts in frame 10; it must be reported within 40 ms.
    expect(found[0].frame).toBeGreaterThanOrEqual(10);
    expect(found[0].frame).toBeLessThanOrEqual(12);
  });

  it('reports a repeated key again after a gap', () => {
    const audio = concat([dtmfTone('7', 100), silence(50), dtmfTone('7', 100), silence(50), dtmfTone('7', 100)]);
    expect(detect(audio).map((d) => d.digit)).toEqual(['7', '7', '7']);
  });

  it('detects 40 ms tones with 40 ms gaps at any alignment, and ignores 20 ms blips', () => {
    for (let offset = 0; offset < 160; offset += 17) {
      const audio = concat([silence(offset / 8), ...[...'9#1'].flatMap((k) => [dtmfTone(k, 40), silence(40)])]);
      expect(detect(audio).map((d) => d.digit).join('')).toBe('9#1');
    }
    expect(detect(concat([silence(100), dtmfTone('3', 20), silence(100)]))).toEqual([]);
  });

  it('still detects each digit exactly once with noise 15 dB below the tones', () => {
    const keys = '159#';
    const clean = concat([silence(100), ...[...keys].flatMap((k) => [dtmfTone(k, 100), silence(80)])]);
    // dtmfTone has two sines of amplitude 0.35 FS: RMS of the pair ~ 0.35 FS.
    const noisy = mix(clean, noise(clean.length, 0.35 * 32768 * 10 ** (-15 / 20), 7));
    expect(detect(noisy).map((d) => d.digit).join('')).toBe(keys);
  });

  it('accepts moderate twist, rejects a pair 12 dB apart', () => {
    const pair = (rowAmp: number, colAmp: number): Int16Array =>
      mix(generateTone([852], 100, rowAmp), generateTone([1336], 100, colAmp));
    expect(detect(concat([pair(0.3, 0.15), silence(40)])).map((d) => d.digit)).toEqual(['8']); // 6 dB normal twist
    expect(detect(concat([pair(0.3, 0.075), silence(40)]))).toEqual([]); // 12 dB
  });

  it('does not trigger on white noise', () => {
    expect(detect(noise(8000 * 10, 6000, 3))).toEqual([]);
  });

  it('does not trigger on a single 1 kHz tone or a lone DTMF row tone', () => {
    expect(detect(generateTone([1000], 3000, 0.8))).toEqual([]);
    expect(detect(generateTone([770], 1000, 0.5))).toEqual([]);
  });

  it('does not trigger on speech-like sound: vowels with gliding pitch and moving formants', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) expect(detect(vowels(seed))).toEqual([]);
  });

  it('accepts tones 1.5% off nominal and rejects tones 3.5% off (Q.24)', () => {
    const pair = (dev: number): Int16Array => concat([generateTone([770 * dev, 1477 * dev], 100, 0.7), silence(60)]);
    expect(detect(pair(1.015)).map((d) => d.digit)).toEqual(['6']);
    expect(detect(pair(0.985)).map((d) => d.digit)).toEqual(['6']);
    expect(detect(pair(1.035))).toEqual([]);
    expect(detect(pair(0.965))).toEqual([]);
  });

  it('detects digits spoken over by a voice 10 dB quieter', () => {
    const keys = '2580';
    const tones = concat([silence(100), ...[...keys].flatMap((k) => [dtmfTone(k, 100), silence(100)])]);
    const voice = vowels(3).subarray(0, tones.length);
    expect(detect(mix(tones, scale(voice, 0.35 * 32768 * 10 ** (-10 / 20) / rms(voice)))).map((d) => d.digit).join('')).toBe(keys);
  });

  it('ignores frames of odd sizes just the same', () => {
    const audio = concat([silence(30), dtmfTone('2', 100), silence(60), dtmfTone('4', 100), silence(60)]);
    const d = new InbandDtmfDetector();
    const found: string[] = [];
    for (let i = 0; i < audio.length; i += 77) found.push(...d.push(audio.subarray(i, i + 77)));
    expect(found).toEqual(['2', '4']);
  });
});
