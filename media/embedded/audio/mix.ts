import { readFile, writeFile } from 'node:fs/promises';
import { MediaError } from '../../errors.js';
import { SAMPLE_RATE } from './format.js';
import { decodeWav, encodeWavInterleaved } from './wav.js';

/**
 * Joins recordings made side by side (the two parties of a call) into one
 * WAV file: summed into one channel (clipped to 16 bits), or one input a
 * channel. The shorter input is padded with silence. Returns the length.
 */
export async function mixWavFiles(inputs: readonly string[], output: string, channels: 1 | 2): Promise<{ durationMs: number }> {
  if (inputs.length === 0) throw new MediaError('bad-audio', 'nothing to mix');
  if (channels === 2 && inputs.length !== 2) throw new MediaError('bad-audio', 'two channels need exactly two inputs');
  const tracks = await Promise.all(
    inputs.map(async (path) => {
      try {
        return decodeWav(await readFile(path), path);
      } catch (err) {
        if (err instanceof MediaError) throw err;
        throw new MediaError('io', `cannot read recording "${path}": ${(err as Error).message}`, { cause: err });
      }
    }),
  );
  const frames = Math.max(...tracks.map((t) => t.length));
  const out = new Int16Array(frames * channels);
  if (channels === 1) {
    for (let i = 0; i < frames; i++) {
      let sum = 0;
      for (const t of tracks) sum += t[i] ?? 0;
      out[i] = sum > 32767 ? 32767 : sum < -32768 ? -32768 : sum;
    }
  } else {
    const [left, right] = tracks as [Int16Array, Int16Array];
    for (let i = 0; i < frames; i++) {
      out[2 * i] = left[i] ?? 0;
      out[2 * i + 1] = right[i] ?? 0;
    }
  }
  try {
    await writeFile(output, encodeWavInterleaved(out, channels, SAMPLE_RATE));
  } catch (err) {
    throw new MediaError('io', `cannot write recording "${output}": ${(err as Error).message}`, { cause: err });
  }
  return { durationMs: Math.round((frames / SAMPLE_RATE) * 1000) };
}
