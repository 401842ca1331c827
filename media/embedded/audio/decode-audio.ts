/**
 * Any audio file -> the internal format. WAV is decoded in-process; every
 * other container or codec (MP3, Ogg, FLAC, WAV with ADPCM/GSM...) is piped
 * through the `ffmpeg` command-line tool.
 */
import { spawn } from 'node:child_process';
import { MediaError } from '../../errors.js';
import { SAMPLE_RATE } from './format.js';
import { UnsupportedWavEncoding, decodeWav } from './wav.js';

export interface DecodeHint {
  /** The HTTP Content-Type, when the audio was downloaded. */
  contentType?: string;
  /** File name or URL, for error messages. */
  source?: string;
}

/** Longest audio accepted from ffmpeg: one hour at 8 kHz, 16-bit. */
const MAX_DECODED_BYTES = 3600 * SAMPLE_RATE * 2;

function isWav(buf: Buffer): boolean {
  return buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WAVE';
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/**
 * Decode an audio file to 8 kHz mono signed 16-bit samples.
 * Rejects with MediaError('bad-audio') naming the source and the reason,
 * or with the signal's reason when aborted.
 */
export async function decodeAudio(
  buf: Buffer,
  hint: DecodeHint = {},
  signal?: AbortSignal,
): Promise<Int16Array> {
  signal?.throwIfAborted();
  if (isWav(buf)) {
    try {
      return decodeWav(buf, hint.source);
    } catch (err) {
      // A well-formed WAV in an encoding we do not read natively: ffmpeg may know it.
      if (!(err instanceof UnsupportedWavEncoding)) throw err;
      return decodeWithFfmpeg(buf, hint, signal).catch((ffErr: unknown) => {
        if (signal?.aborted) throw ffErr;
        throw err;
      });
    }
  }
  if (buf.length === 0) {
    throw new MediaError('bad-audio', `cannot decode ${hint.source ? `"${hint.source}"` : 'audio data'}: it is empty`);
  }
  return decodeWithFfmpeg(buf, hint, signal);
}

function decodeWithFfmpeg(buf: Buffer, hint: DecodeHint, signal?: AbortSignal): Promise<Int16Array> {
  const what = hint.source ? `"${hint.source}"` : 'audio data';
  const typeNote = hint.contentType ? ` (${hint.contentType})` : '';
  return new Promise<Int16Array>((resolve, reject) => {
    signal?.throwIfAborted();
    const child = spawn(
      'ffmpeg',
      ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', 'pipe:0', '-vn', '-f', 's16le', '-acodec', 'pcm_s16le',
        '-ac', '1', '-ar', String(SAMPLE_RATE), 'pipe:1'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const out: Buffer[] = [];
    let outBytes = 0;
    let errText = '';
    let settled = false;

    const finish = (err: unknown, samples?: Int16Array): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (err !== null) reject(err);
      else resolve(samples as Int16Array);
    };
    const onAbort = (): void => {
      child.kill('SIGKILL');
      finish(abortError(signal as AbortSignal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (err: NodeJS.ErrnoException) => {
      const reason = err.code === 'ENOENT' ? 'ffmpeg is not installed (it is needed for non-WAV audio)' : err.message;
      finish(new MediaError('bad-audio', `cannot decode ${what}${typeNote}: ${reason}`, { cause: err }));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > MAX_DECODED_BYTES) {
        child.kill('SIGKILL');
        finish(new MediaError('bad-audio', `cannot decode ${what}: longer than one hour`));
        return;
      }
      out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (errText.length < 2000) errText += chunk.toString('utf8');
    });
    child.on('close', (code, sig) => {
      if (code !== 0) {
        const detail = errText.trim().split('\n').slice(-2).join('; ') || `exit ${code ?? sig}`;
        finish(new MediaError('bad-audio', `cannot decode ${what}${typeNote}: ffmpeg failed: ${detail}`));
        return;
      }
      const bytes = Buffer.concat(out, outBytes);
      const samples = new Int16Array(Math.floor(bytes.length / 2));
      for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
      if (samples.length === 0) {
        finish(new MediaError('bad-audio', `cannot decode ${what}${typeNote}: it contains no audio`));
        return;
      }
      finish(null, samples);
    });
    // ffmpeg may stop reading early (bad input); a broken pipe is reported by 'close'.
    child.stdin.on('error', () => undefined);
    child.stdin.end(buf);
  });
}
