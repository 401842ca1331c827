import { describe, expect, it } from 'vitest';
import { StreamResampler, resample } from '../../../media/embedded/audio/resample.js';
import { dominantFrequency, rmsDbfs } from '../../../media/embedded/dsp/silence.js';
import { generateTone } from '../../../media/embedded/dsp/tone.js';

function tone(freq: number, rate: number, ms: number): Int16Array {
  return generateTone([freq], ms, 0.5, { sampleRate: rate });
}

describe('resample', () => {
  it('keeps length, frequency and level: 1 kHz at 44.1 kHz -> 8 kHz', () => {
    const out = resample(tone(1000, 44100, 1000), 44100, 8000);
    expect(out.length).toBe(8000);
    expect(dominantFrequency(out, 8000)).toBeCloseTo(1000, 0);
    expect(rmsDbfs(out.subarray(400, 7600))).toBeCloseTo(rmsDbfs(tone(1000, 8000, 900)), 0);
  });

  it('removes content above the new Nyquist frequency instead of folding it back', () => {
    // 5 kHz would alias to 3 kHz at 8 kHz; it must come out at least 60 dB down.
    const out = resample(tone(5000, 48000, 500), 48000, 8000);
    expect(rmsDbfs(out.subarray(200, 3800))).toBeLessThan(rmsDbfs(tone(5000, 48000, 500)) - 60);
  });

  it('upsamples 8 kHz -> 16 kHz without images', () => {
    const out = resample(tone(1000, 8000, 500), 8000, 16000);
    expect(out.length).toBe(8000);
    expect(dominantFrequency(out, 16000)).toBeCloseTo(1000, 0);
  });
});

describe('StreamResampler', () => {
  it('48 kHz -> 8 kHz: exactly 160 samples per 960-sample packet, continuous across packets', () => {
    const input = tone(440, 48000, 1000);
    const r = new StreamResampler(48000, 8000);
    const parts: Int16Array[] = [];
    for (let i = 0; i < input.length; i += 960) {
      const out = r.process(input.subarray(i, i + 960));
      expect(out.length).toBe(160);
      parts.push(out);
    }
    const all = new Int16Array(8000);
    parts.forEach((p, i) => all.set(p, i * 160));
    expect(dominantFrequency(all, 8000)).toBeCloseTo(440, 0);
    // No glitches at packet boundaries: compare with the ideal delayed sine.
    const delay = r.delaySamples / 48000;
    let worst = 0;
    for (let n = 200; n < 8000; n++) {
      const ideal = 0.5 * 32767 * Math.sin(2 * Math.PI * 440 * (n / 8000 - delay));
      worst = Math.max(worst, Math.abs(all[n] - ideal));
    }
    expect(worst).toBeLessThan(200); // under 1.2% of the amplitude
  });

  it('8 kHz -> 48 kHz: exactly 960 samples per 160-sample packet', () => {
    const input = tone(1000, 8000, 200);
    const r = new StreamResampler(8000, 48000);
    const all: number[] = [];
    for (let i = 0; i < input.length; i += 160) {
      const out = r.process(input.subarray(i, i + 160));
      expect(out.length).toBe(960);
      all.push(...out);
    }
    expect(dominantFrequency(Int16Array.from(all.slice(480)), 48000)).toBeCloseTo(1000, 0);
  });

  it('passes audio through unchanged when the rates are equal', () => {
    const input = tone(1000, 8000, 20);
    expect([...new StreamResampler(8000, 8000).process(input)]).toEqual([...input]);
  });

  it('rejects nonsense rates', () => {
    expect(() => new StreamResampler(0, 8000)).toThrow(RangeError);
    expect(() => resample(new Int16Array(10), 8000, -1)).toThrow(RangeError);
  });
});
