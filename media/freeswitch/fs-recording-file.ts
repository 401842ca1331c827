/**
 * Where FreeSWITCH writes a recording and how the engine gets it. FreeSWITCH
 * writes on its own host: either straight to the engine's path (FreeSWITCH
 * on the engine's host, no configuration), or into recordingsDir, a
 * directory the engine also mounts (a shared volume) at recordingsEngineDir.
 * Once FreeSWITCH has closed the file the engine rewrites it where
 * RecordingUrl serves it from, as 8 kHz 16-bit mono, trimmed when asked.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SAMPLE_RATE } from '../embedded/audio/format.js';
import { decodeWav, encodeWav } from '../embedded/audio/wav.js';
import { trimSilence } from '../embedded/dsp/silence.js';
import { MediaError } from '../errors.js';

export interface RecordingPlaces {
  /** Directory FreeSWITCH writes recordings to, a path on the FreeSWITCH host. */
  freeswitchDir?: string;
  /** The same directory as the engine sees it; by default freeswitchDir (one host). */
  engineDir?: string;
}

/** The path FreeSWITCH records to for a recording the engine wants at `target`. */
export function freeswitchRecordingPath(places: RecordingPlaces, target: string): string {
  return places.freeswitchDir ? join(places.freeswitchDir, basename(target)) : target;
}

function engineSidePath(places: RecordingPlaces, target: string): string {
  const dir = places.engineDir ?? places.freeswitchDir;
  return dir ? join(dir, basename(target)) : target;
}

/**
 * Moves FreeSWITCH's file to `target` as 8 kHz mono WAV (an empty one when
 * FreeSWITCH wrote nothing, e.g. a hangup before recording began) and
 * returns its length in milliseconds.
 */
export async function collectRecording(places: RecordingPlaces, target: string, opts: { trim?: boolean }): Promise<number> {
  const written = engineSidePath(places, target);
  let samples: Int16Array;
  try {
    samples = decodeWav(await readFile(written), written);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !(err instanceof MediaError)) {
      throw new MediaError('io', `cannot read the recording FreeSWITCH wrote (${written}): ${(err as Error).message}`, { cause: err });
    }
    // Nothing recorded, or a header FreeSWITCH never finished (hangup while opening).
    samples = new Int16Array(0);
  }
  if (opts.trim) samples = trimSilence(samples);
  try {
    await writeFile(target, encodeWav(samples));
    if (written !== target) await rm(written, { force: true });
  } catch (err) {
    throw new MediaError('io', `cannot write the recording ${target}: ${(err as Error).message}`, { cause: err });
  }
  return Math.round((samples.length * 1000) / SAMPLE_RATE);
}
