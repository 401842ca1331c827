import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MediaError } from '../../../media/errors.js';
import { WavFileWriter, decodeWav, encodeWav } from '../../../media/embedded/audio/wav.js';
import { dominantFrequency } from '../../../media/embedded/dsp/silence.js';
import { generateTone } from '../../../media/embedded/dsp/tone.js';

const dir = mkdtempSync(join(tmpdir(), 'dialtone-wav-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sox(name: string, args: string[]): Buffer {
  const path = join(dir, name);
  execFileSync('sox', ['-n', ...args, path, 'synth', '1', 'sine', '440']);
  return readFileSync(path);
}

/** Peak amplitude (0..1) of a file as sox itself measures it. */
function soxPeak(label: string): number {
  const run = spawnSync('sox', [join(dir, `${label.replace(/\W+/g, '_')}.wav`), '-n', 'stat']);
  return Number(/Maximum amplitude:\s*([\d.]+)/.exec(run.stderr.toString())?.[1] ?? NaN);
}

function expectBadAudio(fn: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(MediaError);
  expect((caught as MediaError).code).toBe('bad-audio');
  expect((caught as MediaError).message).toMatch(pattern);
}

describe('decodeWav', () => {
  const variants: Array<[string, string[]]> = [
    ['16 kHz stereo 16-bit', ['-r', '16000', '-c', '2', '-b', '16']],
    ['8 kHz mono 16-bit', ['-r', '8000', '-c', '1', '-b', '16']],
    ['44.1 kHz mono 8-bit unsigned', ['-r', '44100', '-c', '1', '-b', '8', '-e', 'unsigned-integer']],
    ['48 kHz stereo 24-bit (extensible)', ['-r', '48000', '-c', '2', '-b', '24']],
    ['22.05 kHz mono 32-bit integer', ['-r', '22050', '-c', '1', '-b', '32', '-e', 'signed-integer']],
    ['16 kHz mono 32-bit float', ['-r', '16000', '-c', '1', '-b', '32', '-e', 'floating-point']],
    ['8 kHz mono mu-law', ['-r', '8000', '-c', '1', '-e', 'mu-law']],
    ['8 kHz stereo A-law', ['-r', '8000', '-c', '2', '-e', 'a-law']],
    ['11.025 kHz 4 channels 16-bit (extensible)', ['-r', '11025', '-c', '4', '-b', '16']],
  ];
  for (const [label, args] of variants) {
    it(`${label}: 1 s of 440 Hz comes out as 8000 samples at 440 Hz`, () => {
      const buf = sox(`${label.replace(/\W+/g, '_')}.wav`, args);
      const pcm = decodeWav(buf, label);
      expect(pcm.length).toBe(8000);
      expect(dominantFrequency(pcm, 8000)).toBeCloseTo(440, 0);
      // The level survives conversion: same peak as sox reports for the file.
      const peak = pcm.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / 32768;
      expect(peak).toBeGreaterThan(soxPeak(label) * 0.95);
      expect(peak).toBeLessThanOrEqual(Math.min(1, soxPeak(label) * 1.05));
    });
  }

  it('reads the WAV espeak-ng streams to stdout (placeholder data size)', () => {
    const buf = execFileSync('espeak-ng', ['--stdout', 'hello']);
    expect(buf.readUInt32LE(40)).toBeGreaterThan(buf.length); // header written before the length was known
    const pcm = decodeWav(buf, 'espeak');
    expect(pcm.length).toBeGreaterThan(2000);
    expect(pcm.length).toBe(Math.round((((buf.length - 44) / 2) * 8000) / 22050));
  });

  it('skips LIST chunks and odd-sized chunks with their pad byte', () => {
    const tone = generateTone([1000], 100);
    const plain = encodeWav(tone);
    const odd = Buffer.alloc(8 + 5 + 1);
    odd.write('LIST', 0, 'latin1');
    odd.writeUInt32LE(5, 4);
    odd.write('hello', 8, 'latin1');
    const withList = Buffer.concat([plain.subarray(0, 36), odd, plain.subarray(36)]);
    withList.writeUInt32LE(withList.length - 8, 4);
    expect([...decodeWav(withList)]).toEqual([...tone]);
  });

  it('treats a data size of 0 or 0xFFFFFFFF as "to the end of the file"', () => {
    const tone = generateTone([1000], 50);
    for (const size of [0, 0xffffffff]) {
      const buf = encodeWav(tone);
      buf.writeUInt32LE(size, 40);
      expect(decodeWav(buf).length).toBe(tone.length);
    }
  });

  it('rejects a file that is not WAV', () => {
    expectBadAudio(() => decodeWav(Buffer.from('ID3\x03\x00 this is an mp3, honest'), 'song.mp3'), /"song\.mp3".*not a RIFF\/WAVE/);
    expectBadAudio(() => decodeWav(Buffer.alloc(0), 'empty.wav'), /empty\.wav/);
  });

  it('rejects truncated files', () => {
    const buf = encodeWav(generateTone([440], 500));
    expectBadAudio(() => decodeWav(buf.subarray(0, 1000), 'cut.wav'), /cut\.wav.*truncated/);
    expectBadAudio(() => decodeWav(buf.subarray(0, 30), 'cut.wav'), /cut\.wav/);
    expectBadAudio(() => decodeWav(buf.subarray(0, 12), 'cut.wav'), /no fmt chunk/);
  });

  it('rejects encodings it does not decode, naming them', () => {
    const buf = encodeWav(generateTone([440], 100));
    buf.writeUInt16LE(0x0011, 20); // IMA ADPCM
    expectBadAudio(() => decodeWav(buf, 'adpcm.wav'), /adpcm\.wav.*0x0011/);
  });

  it('never throws anything but MediaError on random garbage behind a RIFF header', () => {
    const good = encodeWav(generateTone([440], 100));
    for (let seed = 1; seed < 300; seed++) {
      const buf = Buffer.from(good);
      let s = seed;
      for (let k = 0; k < 6; k++) {
        s = (s * 1103515245 + 12345) & 0x7fffffff;
        buf[12 + (s % 40)] = s & 0xff;
      }
      try {
        decodeWav(buf);
      } catch (err) {
        expect(err).toBeInstanceOf(MediaError);
      }
    }
  });
});

describe('encodeWav', () => {
  it('writes a WAV that sox reads back as 8 kHz 16-bit mono of the right length', () => {
    const path = join(dir, 'encoded.wav');
    const tone = generateTone([1000], 1000);
    writeFileSync(path, encodeWav(tone));
    const info = execFileSync('soxi', [path]).toString();
    expect(info).toMatch(/Channels\s*:\s*1/);
    expect(info).toMatch(/Sample Rate\s*:\s*8000/);
    expect(info).toMatch(/8000 samples/);
  });
});

describe('WavFileWriter', () => {
  it('records 20 ms frames into a valid WAV with correct sizes', async () => {
    const path = join(dir, 'recording.wav');
    const writer = await WavFileWriter.open(path);
    const tone = generateTone([1000], 3000);
    for (let i = 0; i < tone.length; i += 160) writer.write(tone.subarray(i, i + 160));
    const result = await writer.close();
    expect(result).toEqual({ path, samples: 24000, durationMs: 3000 });
    expect(statSync(path).size).toBe(44 + 48000);
    const buf = readFileSync(path);
    expect(buf.readUInt32LE(4)).toBe(36 + 48000);
    expect(buf.readUInt32LE(40)).toBe(48000);
    const back = decodeWav(buf, path);
    expect([...back]).toEqual([...tone]);
    expect(execFileSync('soxi', ['-D', path]).toString().trim()).toBe('3.000000');
    // close is idempotent and later writes are ignored
    writer.write(tone);
    expect(await writer.close()).toEqual(result);
  });

  it('fails to open in a missing directory with an io error naming the path', async () => {
    const path = join(dir, 'no-such-dir', 'x.wav');
    await expect(WavFileWriter.open(path)).rejects.toMatchObject({ code: 'io', message: expect.stringContaining(path) });
  });
});
