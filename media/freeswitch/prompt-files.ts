/**
 * How audio reaches FreeSWITCH, which may run on another host: the engine
 * fetches and decodes it (the media cache, the TTS provider, generated
 * tones), writes it once as an 8 kHz WAV named after its content, and serves
 * it from its own HTTP server under /media/. FreeSWITCH plays it through
 * mod_http_cache (`http_cache://http://engine/media/<name>.wav`), which keeps
 * its own copy: the content-derived name never changes meaning.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWav } from '../embedded/audio/wav.js';
import { MediaError } from '../errors.js';

/** Loads a URL or file as 8 kHz mono PCM (the media cache does). */
export interface PcmLoader {
  get(url: string, signal?: AbortSignal): Promise<Int16Array>;
}

/** Text to 8 kHz mono PCM (the TTS provider does). */
export interface PcmSynthesizer {
  synthesize(text: string, opts: { voice?: string; language?: string }, signal?: AbortSignal): Promise<Int16Array>;
}

export interface PromptFilesOptions {
  /** Directory the WAVs are written to; the engine's HTTP server serves it at baseUrl. */
  dir: string;
  /** URL FreeSWITCH reaches that directory at, e.g. http://10.0.0.5:8089/media. */
  baseUrl: string;
  loader: PcmLoader;
  tts: PcmSynthesizer | undefined;
}

/** Name of a published prompt: /media/<32 hex>.wav. */
export const PROMPT_FILE_NAME = /^[0-9a-f]{32}\.wav$/;

/** Characters FreeSWITCH treats specially in an application argument (file lists, variable expansion). */
const UNSAFE_PATH = /[!$\s{}]/;

export class PromptFiles {
  private readonly made = new Set<string>();
  private readonly ready: Promise<unknown>;

  constructor(private readonly opts: PromptFilesOptions) {
    this.ready = mkdir(opts.dir, { recursive: true });
  }

  /**
   * The FreeSWITCH file string for a Play source: http(s) URLs go through
   * the engine's media cache; an absolute path (or file: URL) is a file on
   * the FreeSWITCH host, played as it is.
   */
  async forSource(source: string, signal?: AbortSignal): Promise<string> {
    if (/^https?:\/\//i.test(source)) return this.publish(await this.opts.loader.get(source, signal));
    const path = source.startsWith('file:') ? fileURLToPath(source) : source;
    if (!path.startsWith('/') || UNSAFE_PATH.test(path)) {
      throw new MediaError('bad-audio', `cannot play "${source}" with FreeSWITCH: use an http(s) URL or an absolute path on the FreeSWITCH host`);
    }
    return path;
  }

  /** Synthesized speech, published for FreeSWITCH. */
  async forSpeech(text: string, voice: { voice?: string; language?: string }, signal?: AbortSignal): Promise<string> {
    const tts = this.opts.tts;
    if (!tts) throw new MediaError('tts-failed', 'no text-to-speech provider is configured');
    return this.publish(await tts.synthesize(text, voice, signal));
  }

  /** Writes 8 kHz mono PCM once (named after its content) and returns what FreeSWITCH plays. */
  async publish(samples: Int16Array): Promise<string> {
    const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
    const name = `${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}.wav`;
    if (!this.made.has(name)) {
      await this.ready;
      const file = join(this.opts.dir, name);
      const exists = await stat(file).then(
        (s) => s.isFile(),
        () => false,
      );
      if (!exists) {
        try {
          const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
          await writeFile(tmp, encodeWav(samples));
          await rename(tmp, file);
        } catch (err) {
          throw new MediaError('io', `cannot write the prompt file ${file}: ${(err as Error).message}`, { cause: err });
        }
      }
      if (this.made.size >= 10_000) this.made.clear();
      this.made.add(name);
    }
    return `http_cache://${this.opts.baseUrl.replace(/\/+$/, '')}/${name}`;
  }
}
