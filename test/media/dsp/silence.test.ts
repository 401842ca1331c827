import { describe, expect, it } from 'vitest';
import { SilenceDetector, dominantFrequency, rmsDbfs, trimSilence } from '../../../media/embedded/dsp/silence.js';
import { beep, dtmfTone, generateTone } from '../../../media/embedded/dsp/tone.js';
import { MediaError } from '../../../media/errors.js';

const silence = (ms: number): Int16Array => new Int16Array(ms * 8);

function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function frames(audio: Int16Array): Int16Array[] {
  const out: Int16Array[] = [];
  for (let i = 0; i < audio.length; i += 160) out.push(audio.subarray(i, i + 160));
  return out;
}

describe('rmsDbfs', () => {
  it('measures a full-scale square wave at 0, a half-scale sine at -9, silence at the floor', () => {
    expect(rmsDbfs(Int16Array.from({ length: 160 }, (_, i) => (i % 2 ? 32767 : -32768)))).toBeCloseTo(0, 1);
    expect(rmsDbfs(generateTone([1000], 20, 0.5))).toBeCloseTo(-9.03, 1);
    expect(rmsDbfs(silence(20))).toBe(-120);
    expect(rmsDbfs(new Int16Array(0))).toBe(-120);
  });
});

describe('SilenceDetector', () => {
  it('reports speech, then counts continuous silence after the hangover', () => {
    const d = new SilenceDetector({ thresholdDbfs: -40, hangoverMs: 100 });
    const audio = concat(silence(200), generateTone([440], 500, 0.3), silence(1000));
    const speech = frames(audio).map((f) => d.push(f));
    expect(speech.slice(0, 10).every((s) => !s)).toBe(true); // leading silence
    expect(speech[10]).toBe(false); // the first loud frame alone is not yet speech (40 ms needed)
    expect(speech.slice(11, 35).every((s) => s)).toBe(true); // tone
    expect(speech.slice(35, 40).every((s) => s)).toBe(true); // 100 ms hangover
    expect(speech.slice(40).every((s) => !s)).toBe(true);
    expect(d.heardSpeech).toBe(true);
    expect(d.silentMs).toBe(1000);
  });

  it('does not count a click or quiet line noise as speech', () => {
    const d = new SilenceDetector();
    const noise = Int16Array.from({ length: 8000 }, (_, i) => ((i * 7919) % 61) - 30); // about -63 dBFS
    for (const f of frames(noise)) d.push(f);
    const click = silence(20);
    click[80] = 30000;
    d.push(click);
    d.push(silence(20));
    expect(d.heardSpeech).toBe(false);
    expect(d.silentMs).toBe(1040);
  });
});

describe('trimSilence', () => {
  it('cuts leading and trailing silence from tone+silence, keeping the tone', () => {
    const tone = generateTone([1000], 700, 0.5);
    const out = trimSilence(concat(silence(300), tone, silence(500)));
    expect(Math.abs(out.length - tone.length)).toBeLessThanOrEqual(80); // within one 10 ms window
    expect(dominantFrequency(out, 8000)).toBeCloseTo(1000, 0);
  });

  it('keeps the requested padding and returns nothing for pure silence', () => {
    const out = trimSilence(concat(silence(300), generateTone([1000], 200), silence(300)), { paddingMs: 100 });
    expect(out.length).toBe(400 * 8);
    expect(trimSilence(silence(1000)).length).toBe(0);
  });
});

describe('dominantFrequency', () => {
  it('finds the frequency of tones to within a fraction of a hertz', () => {
    for (const f of [300, 440, 1000, 2750, 3400]) {
      expect(Math.abs(dominantFrequency(generateTone([f], 500), 8000) - f)).toBeLessThan(0.5);
    }
    expect(Math.abs(dominantFrequency(generateTone([1000], 200, 0.5, { sampleRate: 48000 }), 48000) - 1000)).toBeLessThan(1);
    expect(dominantFrequency(silence(100), 8000)).toBe(0);
  });
});

describe('tones', () => {
  it('beep is 250 ms of 1 kHz at half scale, fading in and out', () => {
    const b = beep();
    expect(b.length).toBe(2000);
    expect(dominantFrequency(b, 8000)).toBeCloseTo(1000, 0);
    expect(Math.abs(b[0])).toBeLessThan(100);
    expect(Math.max(...b)).toBeGreaterThan(16000);
  });

  it('dtmfTone makes the Q.23 pair for the key; bad keys are refused', () => {
    const t = dtmfTone('#', 200);
    expect(t.length).toBe(1600);
    const lows = generateTone([941], 200, 0.35);
    // Correlation with the 941 Hz component is strong: the row tone is present.
    let dot = 0;
    for (let i = 0; i < t.length; i++) dot += t[i] * lows[i];
    expect(dot / t.length).toBeGreaterThan(0.5 * (0.35 * 32767) ** 2 * 0.9);
    expect(() => dtmfTone('x', 100)).toThrow(MediaError);
  });
});
