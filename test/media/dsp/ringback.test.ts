/**
 * The ringback tones of <Dial ringTone>: each country's period has the
 * cadence and the frequencies E.180 gives it, written as tone_stream
 * markup that the embedded engine (media cache) turns into PCM and the
 * FreeSWITCH driver hands to FreeSWITCH as it is.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MediaCache } from '../../../media/cache.js';
import { RINGBACK_TONES, RING_TONES, ringbackToneStream, toneStreamPeriod } from '../../../media/embedded/dsp/ringback.js';
import { rmsDbfs } from '../../../media/embedded/dsp/silence.js';
import { MediaError } from '../../../media/errors.js';
import { PromptFiles } from '../../../media/freeswitch/prompt-files.js';
import { toneLevel } from '../helpers/tone-levels.js';

const ms = (samples: number): number => samples / 8;

describe('ringback tones', () => {
  it('us and uk as tone_stream markup', () => {
    expect(ringbackToneStream('us')).toBe('tone_stream://%(2000,4000,440,480)');
    expect(ringbackToneStream('uk')).toBe('tone_stream://%(400,200,400,450);%(400,2000,400,450)');
    expect(ringbackToneStream('de')).toBe('tone_stream://%(1000,4000,425)');
    // A modulated tone: the pair that beats at the modulation frequency (South Africa 400 Hz x 33 Hz).
    expect(ringbackToneStream('za')).toBe('tone_stream://%(400,200,383.5,416.5);%(400,2000,383.5,416.5)');
  });

  it.each(RING_TONES)('%s: one period has its cadence, its tones at their frequencies and true silence between', (tone) => {
    const { freqs, cadence } = RINGBACK_TONES[tone];
    const period = toneStreamPeriod(ringbackToneStream(tone));
    const total = cadence.reduce((a, b) => a + b, 0);
    expect(ms(period.length)).toBeGreaterThanOrEqual(total);
    expect(ms(period.length)).toBeLessThan(total + 20);
    expect(period.length % 160).toBe(0);
    let at = 0;
    cadence.forEach((len, i) => {
      const part = period.subarray(at * 8, (at + len) * 8);
      if (i % 2 === 0) {
        // Leave out the 5 ms fades at the edges.
        const body = part.subarray(80, part.length - 80);
        for (const f of freqs) expect(toneLevel(body, f), `${f} Hz`).toBeGreaterThan(0.1);
        expect(toneLevel(body, 1000)).toBeLessThan(0.01);
      } else {
        expect(rmsDbfs(part)).toBe(-120);
      }
      at += len;
    });
    expect(rmsDbfs(period.subarray(at * 8))).toBe(-120);
  });

  it('refuses markup that is not %(on,off,freq...) elements', () => {
    for (const bad of ['tone_stream://%(a,b,440)', 'tone_stream://', 'tone_stream://%(100)', 'tone_stream://%(100,100,5000)', 'tone_stream://v=-7;%(100,100,440)', 'http://x/y']) {
      expect(() => toneStreamPeriod(bad), bad).toThrow(MediaError);
    }
    // loops= is left to the player.
    expect(ms(toneStreamPeriod('tone_stream://%(100,100,440);loops=-1').length)).toBe(200);
  });

  it('the embedded engine plays it through its media cache', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ringback-cache-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const pcm = await new MediaCache({ dir }).get(ringbackToneStream('fr'));
    expect(ms(pcm.length)).toBe(5000);
    expect(toneLevel(pcm.subarray(80, 1400 * 8), 440)).toBeGreaterThan(0.2);
  });

  it('FreeSWITCH gets the markup to play itself; anything it would expand is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ringback-fs-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const files = new PromptFiles({ dir, baseUrl: 'http://engine.test/media', loader: { get: () => Promise.reject(new Error('not fetched')) }, tts: undefined });
    expect(await files.forSource(ringbackToneStream('uk'))).toBe('tone_stream://%(400,200,400,450);%(400,2000,400,450)');
    await expect(files.forSource('tone_stream://%(400,200,${x})')).rejects.toThrow(MediaError);
  });
});
