/**
 * Text-to-speech with the espeak-ng command-line synthesizer: the text goes
 * in on stdin, a WAV comes out on stdout and is decoded with decodeWav.
 */
import { spawn } from 'node:child_process';
import { MediaError } from '../../errors.js';
import { decodeWav } from '../audio/wav.js';
import { espeakVoice } from './espeak-voices.js';
import type { TtsOptions, TtsProvider } from './tts-provider.js';

export interface EspeakOptions {
  /** Program to run (default "espeak-ng" on the PATH). */
  binary?: string;
  /** espeak-ng voice for requests without a language (default "en-us"). */
  defaultVoice?: string;
  /** Speaking rate in words per minute (default espeak-ng's own, 175). */
  wordsPerMinute?: number;
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
}

/** Longest text accepted in one request (characters). */
const MAX_TEXT = 20_000;

export class EspeakProvider implements TtsProvider {
  private readonly binary: string;
  private readonly defaultVoice: string;
  private readonly wpm: number | undefined;
  private readonly timeoutMs: number;

  constructor(opts: EspeakOptions = {}) {
    this.binary = opts.binary ?? 'espeak-ng';
    this.defaultVoice = opts.defaultVoice ?? 'en-us';
    this.wpm = opts.wordsPerMinute;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  synthesize(text: string, opts: TtsOptions, signal?: AbortSignal): Promise<Int16Array> {
    signal?.throwIfAborted();
    if (text.trim() === '') return Promise.resolve(new Int16Array(0));
    if (text.length > MAX_TEXT) {
      return Promise.reject(new MediaError('tts-failed', `text to speak is ${text.length} characters, over the ${MAX_TEXT} limit`));
    }
    const voice = espeakVoice(opts.voice, opts.language, this.defaultVoice);
    const args = ['--stdout', '--stdin', '-v', voice];
    if (this.wpm !== undefined) args.push('-s', String(Math.round(this.wpm)));
    return new Promise<Int16Array>((resolve, reject) => {
      const child = spawn(this.binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let errText = '';
      let settled = false;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        done(new MediaError('tts-failed', `espeak-ng (voice ${voice}) did not finish within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      const onAbort = (): void => {
        child.kill('SIGKILL');
        done(signal?.reason ?? new DOMException('The operation was aborted', 'AbortError'));
      };
      const done = (err: unknown, samples?: Int16Array): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (err !== null) reject(err);
        else resolve(samples as Int16Array);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      child.on('error', (err: NodeJS.ErrnoException) => {
        const reason = err.code === 'ENOENT' ? `${this.binary} is not installed` : err.message;
        done(new MediaError('tts-failed', `text-to-speech failed: ${reason}`, { cause: err }));
      });
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => {
        if (errText.length < 2000) errText += chunk.toString('utf8');
      });
      child.on('close', (code) => {
        if (code !== 0) {
          const detail = errText.trim() || `exit code ${code}`;
          done(new MediaError('tts-failed', `espeak-ng failed (voice ${voice}): ${detail}`));
          return;
        }
        try {
          done(null, decodeWav(Buffer.concat(out), `espeak-ng output (voice ${voice})`));
        } catch (err) {
          done(new MediaError('tts-failed', `espeak-ng produced unusable audio: ${(err as Error).message}`, { cause: err }));
        }
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(text, 'utf8');
    });
  }
}
