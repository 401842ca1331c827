import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { mp3PathOf } from './recording-files.js';

/** Longest a conversion may take before ffmpeg is stopped (an hour of audio takes seconds). */
const CONVERSION_TIMEOUT_MS = 120_000;
/** How much of ffmpeg's error output is kept for the reason of a failure. */
const MAX_STDERR = 2000;

/** A recording's MP3 could not be made; the message says why (ffmpeg's own words when it ran). */
export class Mp3ConversionError extends Error {
  override readonly name = 'Mp3ConversionError';
}

async function modifiedAt(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => (s.isFile() ? s.mtimeMs : undefined),
    () => undefined,
  );
}

function runFfmpeg(args: readonly string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < MAX_STDERR) stderr += chunk.slice(0, MAX_STDERR - stderr.length);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Mp3ConversionError(err.code === 'ENOENT' ? 'ffmpeg is not installed' : `ffmpeg could not be started: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const detail = stderr.trim().split('\n').slice(-3).join(' / ') || 'no error output';
      reject(new Mp3ConversionError(signal === 'SIGKILL' ? `ffmpeg took longer than ${timeoutMs} ms` : `ffmpeg failed (exit ${String(code ?? signal)}): ${detail}`));
    });
  });
}

/**
 * Recordings as MP3 (audio/mpeg): made from the WAV with ffmpeg the first
 * time they are asked for and kept beside it, made again when the WAV is
 * newer than its MP3. Requests for one file at the same time share one
 * conversion; a conversion writes a file of its own and renames it into
 * place, so a reader never sees half an MP3.
 */
export class Mp3Recordings {
  private readonly running = new Map<string, Promise<string | undefined>>();

  constructor(private readonly timeoutMs = CONVERSION_TIMEOUT_MS) {}

  /** The MP3 of `wavPath`; undefined when there is no WAV; rejects with Mp3ConversionError when it cannot be made. */
  async mp3Of(wavPath: string): Promise<string | undefined> {
    const wavTime = await modifiedAt(wavPath);
    if (wavTime === undefined) return undefined;
    const mp3 = mp3PathOf(wavPath);
    const mp3Time = await modifiedAt(mp3);
    if (mp3Time !== undefined && mp3Time >= wavTime) return mp3;
    let job = this.running.get(mp3);
    if (!job) {
      job = this.convert(wavPath, mp3).finally(() => this.running.delete(mp3));
      this.running.set(mp3, job);
    }
    return job;
  }

  private async convert(wavPath: string, mp3: string): Promise<string | undefined> {
    const partial = `${mp3}.${randomBytes(6).toString('hex')}.part`;
    try {
      // Constant bit rate, so that players and ffprobe read the duration right; the WAV's rate and channels stay.
      await runFfmpeg(['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', wavPath, '-vn', '-codec:a', 'libmp3lame', '-b:a', '32k', '-f', 'mp3', partial], this.timeoutMs);
      await rename(partial, mp3);
    } finally {
      await rm(partial, { force: true });
    }
    // The recording was deleted while it was converted: its MP3 goes with it.
    if ((await modifiedAt(wavPath)) === undefined) {
      await rm(mp3, { force: true });
      return undefined;
    }
    return mp3;
  }
}
