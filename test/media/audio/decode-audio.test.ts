import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../../media/embedded/audio/decode-audio.js';
import { encodeWav } from '../../../media/embedded/audio/wav.js';
import { dominantFrequency } from '../../../media/embedded/dsp/silence.js';
import { generateTone } from '../../../media/embedded/dsp/tone.js';

const dir = mkdtempSync(join(tmpdir(), 'dialtone-decode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ffmpegTone(name: string, extra: string[] = []): Buffer {
  const path = join(dir, name);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2',
    ...extra, path]);
  return readFileSync(path);
}

describe('decodeAudio', () => {
  it('decodes an MP3 through ffmpeg to 8 kHz mono of the right length and pitch', async () => {
    const pcm = await decodeAudio(ffmpegTone('tone.mp3'), { contentType: 'audio/mpeg', source: 'tone.mp3' });
    expect(Math.abs(pcm.length - 16000)).toBeLessThan(800); // MP3 frames pad the ends a little
    expect(dominantFrequency(pcm, 8000)).toBeCloseTo(440, 0);
  });

  it('decodes Ogg/Vorbis and FLAC too', async () => {
    for (const name of ['tone.ogg', 'tone.flac']) {
      const pcm = await decodeAudio(ffmpegTone(name), { source: name });
      expect(Math.abs(pcm.length - 16000)).toBeLessThan(800);
      expect(dominantFrequency(pcm, 8000)).toBeCloseTo(440, 0);
    }
  });

  it('decodes WAV in-process and ADPCM WAV through ffmpeg', async () => {
    const wav = encodeWav(generateTone([1000], 500));
    expect((await decodeAudio(wav)).length).toBe(4000);
    const adpcm = ffmpegTone('adpcm.wav', ['-ar', '8000', '-acodec', 'adpcm_ima_wav']);
    expect(adpcm.readUInt16LE(20)).toBe(0x11);
    const pcm = await decodeAudio(adpcm, { source: 'adpcm.wav' });
    expect(Math.abs(pcm.length - 16000)).toBeLessThan(800);
    expect(dominantFrequency(pcm, 8000)).toBeCloseTo(440, 0);
  });

  it('rejects garbage and empty input with bad-audio naming the source', async () => {
    const garbage = Buffer.from('<html><body>Not Found</body></html>');
    await expect(decodeAudio(garbage, { source: 'http://x/prompt.mp3', contentType: 'text/html' })).rejects.toMatchObject(
      { code: 'bad-audio', message: expect.stringContaining('http://x/prompt.mp3') },
    );
    await expect(decodeAudio(Buffer.alloc(0), { source: 'empty.mp3' })).rejects.toMatchObject({ code: 'bad-audio' });
  });

  it('stops ffmpeg and rejects when aborted', async () => {
    const ac = new AbortController();
    const mp3 = ffmpegTone('long.mp3');
    const p = decodeAudio(mp3, {}, ac.signal);
    ac.abort(new Error('caller hung up'));
    await expect(p).rejects.toThrow('caller hung up');
  });
});
