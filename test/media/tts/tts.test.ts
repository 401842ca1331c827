import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dominantFrequency, rmsDbfs, trimSilence } from '../../../media/embedded/dsp/silence.js';
import { EspeakProvider } from '../../../media/embedded/tts/espeak-provider.js';
import { espeakVoice } from '../../../media/embedded/tts/espeak-voices.js';
import { CachedTts } from '../../../media/embedded/tts/tts-cache.js';
import type { TtsOptions, TtsProvider } from '../../../media/embedded/tts/tts-provider.js';
import { MediaError } from '../../../media/errors.js';

const root = mkdtempSync(join(tmpdir(), 'dialtone-tts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Wraps a provider and counts the syntheses that reach it. */
class CountingProvider implements TtsProvider {
  calls = 0;
  constructor(private readonly inner: TtsProvider) {}
  async synthesize(text: string, opts: TtsOptions, signal?: AbortSignal): Promise<Int16Array> {
    this.calls++;
    return this.inner.synthesize(text, opts, signal);
  }
}

describe('EspeakProvider', () => {
  const espeak = new EspeakProvider();

  it('speaks a prompt as audible 8 kHz speech of plausible length', async () => {
    const pcm = await espeak.synthesize('Please enter your account number, followed by the pound key.', {
      language: 'en-US',
      voice: 'alice',
    });
    const spoken = trimSilence(pcm);
    // About 10 words at ~175 words per minute: 2 to 6 seconds.
    expect(spoken.length / 8000).toBeGreaterThan(2);
    expect(spoken.length / 8000).toBeLessThan(6);
    expect(rmsDbfs(spoken)).toBeGreaterThan(-35);
    // Voiced speech: strongest component in the voice band, not a tone at DC or hiss.
    const f = dominantFrequency(spoken, 8000);
    expect(f).toBeGreaterThan(80);
    expect(f).toBeLessThan(1500);
  });

  it('the female voice is higher pitched than the male one', async () => {
    const text = 'aaaaah';
    const man = trimSilence(await espeak.synthesize(text, { voice: 'man', language: 'en-US' }));
    const woman = trimSilence(await espeak.synthesize(text, { voice: 'woman', language: 'en-US' }));
    expect(pitch(woman)).toBeGreaterThan(pitch(man) * 1.3);
  });

  it('speaks other languages', async () => {
    for (const language of ['fr-FR', 'de-DE', 'es-ES', 'en-GB']) {
      const pcm = await espeak.synthesize('1 2 3', { language });
      expect(trimSilence(pcm).length).toBeGreaterThan(4000);
    }
  });

  it('returns nothing for empty text and does not let the text act as options', async () => {
    expect((await espeak.synthesize('   ', {})).length).toBe(0);
    const pcm = await espeak.synthesize('--help -v xx', {});
    expect(trimSilence(pcm).length).toBeGreaterThan(4000);
  });

  it('a missing program gives tts-failed', async () => {
    const broken = new EspeakProvider({ binary: join(root, 'no-espeak') });
    await expect(broken.synthesize('hello', {})).rejects.toMatchObject({
      code: 'tts-failed',
      message: expect.stringContaining('not installed'),
    });
  });

  it('can be aborted', async () => {
    const ac = new AbortController();
    const p = espeak.synthesize('This is a long sentence. '.repeat(50), {}, ac.signal);
    ac.abort(new Error('hung up'));
    await expect(p).rejects.toThrow('hung up');
  });
});

describe('espeakVoice', () => {
  it('maps TwiML-style languages and voices to espeak-ng voices', () => {
    expect(espeakVoice('alice', 'en-US')).toBe('en-us+f3');
    expect(espeakVoice('man', 'en-GB')).toBe('en-gb');
    expect(espeakVoice('Polly.Joanna-Neural', 'en-US')).toBe('en-us+f3');
    expect(espeakVoice('Polly.Matthew', undefined)).toBe('en-us');
    expect(espeakVoice('woman', 'fr-FR')).toBe('fr-fr+f3');
    expect(espeakVoice(undefined, 'de-DE')).toBe('de');
    expect(espeakVoice(undefined, 'es-ES')).toBe('es');
    expect(espeakVoice(undefined, 'es-MX')).toBe('es-419');
    expect(espeakVoice('Google.fr-FR-Standard-A', undefined)).toBe('fr-fr');
    expect(espeakVoice(undefined, 'xx-YY')).toBe('en-us');
    expect(espeakVoice('espeak:en-gb-scotland+m2', 'fr-FR')).toBe('en-gb-scotland+m2');
    expect(espeakVoice('espeak:--evil', undefined)).toBe('en-us');
  });
});

describe('CachedTts', () => {
  it('the second identical request is served from cache without running espeak-ng', async () => {
    const counting = new CountingProvider(new EspeakProvider());
    const tts = new CachedTts(counting);
    const opts = { voice: 'alice', language: 'en-US' };
    const first = await tts.synthesize('Welcome to dialtone.', opts);
    const started = performance.now();
    const second = await tts.synthesize('Welcome to dialtone.', opts);
    expect(performance.now() - started).toBeLessThan(20); // espeak-ng alone takes ~30 ms or more
    expect(counting.calls).toBe(1);
    expect([...second]).toEqual([...first]);
    // A different voice, language or text is a different prompt.
    await tts.synthesize('Welcome to dialtone.', { ...opts, voice: 'man' });
    await tts.synthesize('Welcome to dialtone.', { ...opts, language: 'en-GB' });
    await tts.synthesize('Welcome to dialtone!', opts);
    expect(counting.calls).toBe(4);
  });

  it('concurrent identical requests share one synthesis', async () => {
    const counting = new CountingProvider(new EspeakProvider());
    const tts = new CachedTts(counting);
    const results = await Promise.all(Array.from({ length: 8 }, () => tts.synthesize('Shared prompt', {})));
    expect(counting.calls).toBe(1);
    expect(new Set(results.map((r) => r.length)).size).toBe(1);
  });

  it('keeps prompts on disk across restarts', async () => {
    const dir = join(root, 'tts-disk');
    const first = new CountingProvider(new EspeakProvider());
    const a = await new CachedTts(first, { dir }).synthesize('Saved prompt', {});
    expect(readdirSync(dir)).toHaveLength(1);
    const second = new CountingProvider(new EspeakProvider());
    const b = await new CachedTts(second, { dir }).synthesize('Saved prompt', {});
    expect(second.calls).toBe(0);
    expect([...b]).toEqual([...a]);
  });

  it('evicts the least recently used prompt beyond maxEntries', async () => {
    const fake: TtsProvider = { synthesize: async (text) => Int16Array.of(text.length) };
    const counting = new CountingProvider(fake);
    const tts = new CachedTts(counting, { maxEntries: 2 });
    await tts.synthesize('a', {});
    await tts.synthesize('bb', {});
    await tts.synthesize('a', {}); // a is now most recent
    await tts.synthesize('ccc', {}); // evicts bb
    await tts.synthesize('a', {});
    expect(counting.calls).toBe(3);
    await tts.synthesize('bb', {});
    expect(counting.calls).toBe(4);
  });

  it('does not cache failures', async () => {
    let fail = true;
    const flaky: TtsProvider = {
      synthesize: async () => {
        if (fail) throw new MediaError('tts-failed', 'engine busy');
        return Int16Array.of(1, 2, 3);
      },
    };
    const tts = new CachedTts(flaky);
    await expect(tts.synthesize('x', {})).rejects.toMatchObject({ code: 'tts-failed' });
    fail = false;
    expect([...(await tts.synthesize('x', {}))]).toEqual([1, 2, 3]);
  });
});

/** Fundamental frequency by autocorrelation over 60-400 Hz. */
function pitch(x: Int16Array): number {
  const seg = x.subarray(Math.floor(x.length / 4), Math.floor(x.length / 4) + 2048);
  let bestLag = 0;
  let best = -Infinity;
  for (let lag = 20; lag <= 133; lag++) {
    let s = 0;
    for (let i = 0; i + lag < seg.length; i++) s += seg[i] * seg[i + lag];
    if (s > best) {
      best = s;
      bestLag = lag;
    }
  }
  return 8000 / bestLag;
}
