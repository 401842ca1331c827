import { rm } from 'node:fs/promises';

/** The MP3 made from a recording's WAV, kept beside it: dataDir/recordings/<sid>.mp3. */
export function mp3PathOf(wavPath: string): string {
  return `${wavPath.replace(/\.wav$/i, '')}.mp3`;
}

/** Removes a recording's audio: its WAV and the MP3 made from it (a file already gone is no error). */
export async function removeRecordingFiles(wavPath: string): Promise<void> {
  await Promise.all([rm(wavPath, { force: true }), rm(mp3PathOf(wavPath), { force: true })]);
}
