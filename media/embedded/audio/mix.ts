import { readFile, writeFile } from 'node:fs/promises';
import { MediaError } from '../../errors.js';
import { soundRange } from '../dsp/silence.js';
import { SAMPLE_RATE } from './format.js';
import { decodeWav, encodeWavInterleaved } from './wav.js';

export interface MixOptions {
  /** Leave out the silence before the first and after the last sound of any input. */
  trim?: boolean;
  /** Stretches of time to leave out of every input (a paused recording's skipped parts), in ms from the start. */
  cuts?: readonly { fromMs: number; toMs: number }[];
}

/**
 * Joins recordings made side by side (the two parties of a call) into one
 * WAV file: summed into one channel (clipped to 16 bits), or one input a
 * channel. The shorter input is padded with silence. Returns the length.
 */
export async function mixWavFiles(inputs: readonly string[], output: string, channels: 1 | 2, opts: MixOptions = {}): Promise<{ durationMs: number }> {
  if (inputs.length === 0) throw new MediaError('bad-audio', 'nothing to mix');
  if (channels === 2 && inputs.length !== 2) throw new MediaError('bad-audio', 'two channels need exactly two inputs');
  let tracks = await Promise.all(inputs.map(readTrack));
  if (opts.cuts && opts.cuts.length > 0) tracks = tracks.map((t) => cutOut(t, opts.cuts!));
  const frames = Math.max(...tracks.map((t) => t.length));
  const mono = sumTracks(tracks, frames);
  const { start, end } = opts.trim ? soundRange(mono) : { start: 0, end: frames };
  let out: Int16Array;
  if (channels === 1) out = mono.subarray(start, end);
  else {
    const [left, right] = tracks as [Int16Array, Int16Array];
    out = new Int16Array((end - start) * 2);
    for (let i = start; i < end; i++) {
      out[2 * (i - start)] = left[i] ?? 0;
      out[2 * (i - start) + 1] = right[i] ?? 0;
    }
  }
  try {
    await writeFile(output, encodeWavInterleaved(out, channels, SAMPLE_RATE));
  } catch (err) {
    throw new MediaError('io', `cannot write recording "${output}": ${(err as Error).message}`, { cause: err });
  }
  return { durationMs: Math.round(((end - start) / SAMPLE_RATE) * 1000) };
}

async function readTrack(path: string): Promise<Int16Array> {
  try {
    return decodeWav(await readFile(path), path);
  } catch (err) {
    if (err instanceof MediaError) throw err;
    throw new MediaError('io', `cannot read recording "${path}": ${(err as Error).message}`, { cause: err });
  }
}

function sumTracks(tracks: readonly Int16Array[], frames: number): Int16Array {
  if (tracks.length === 1 && tracks[0]!.length === frames) return tracks[0]!;
  const out = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (const t of tracks) sum += t[i] ?? 0;
    out[i] = sum > 32767 ? 32767 : sum < -32768 ? -32768 : sum;
  }
  return out;
}

/** `samples` without the given stretches of time. */
function cutOut(samples: Int16Array, cuts: readonly { fromMs: number; toMs: number }[]): Int16Array {
  const keep: Int16Array[] = [];
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a.fromMs - b.fromMs)) {
    const from = Math.min(samples.length, Math.max(at, Math.round((c.fromMs * SAMPLE_RATE) / 1000)));
    const to = Math.min(samples.length, Math.max(from, Math.round((c.toMs * SAMPLE_RATE) / 1000)));
    keep.push(samples.subarray(at, from));
    at = to;
  }
  keep.push(samples.subarray(at));
  const out = new Int16Array(keep.reduce((n, k) => n + k.length, 0));
  keep.reduce((o, k) => (out.set(k, o), o + k.length), 0);
  return out;
}
