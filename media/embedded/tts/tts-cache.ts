/**
 * Caching in front of any TtsProvider: the same text in the same voice is
 * synthesized once. Results are kept in a memory LRU and, when a directory
 * is given, as raw 16-bit little-endian PCM files named by
 * sha256(text, voice, language), so they survive restarts. Concurrent
 * identical requests share one synthesis.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LruCache } from '../../util/lru.js';
import { SingleFlight } from '../../util/single-flight.js';
import type { TtsOptions, TtsProvider } from './tts-provider.js';

export interface CachedTtsOptions {
  /** Directory for synthesized prompts; memory only when absent. */
  dir?: string;
  /** Prompts kept in memory (default 500). */
  maxEntries?: number;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class CachedTts implements TtsProvider {
  private readonly memory: LruCache<string, Int16Array>;
  private readonly flights = new SingleFlight<string, Int16Array>();
  private readonly dir: string | undefined;
  private dirReady: Promise<unknown> | null = null;
  private tmpCounter = 0;

  constructor(
    private readonly inner: TtsProvider,
    opts: CachedTtsOptions = {},
  ) {
    this.memory = new LruCache({ maxEntries: opts.maxEntries ?? 500 });
    this.dir = opts.dir;
  }

  async synthesize(text: string, opts: TtsOptions, signal?: AbortSignal): Promise<Int16Array> {
    signal?.throwIfAborted();
    const key = createHash('sha256')
      .update(JSON.stringify([text, opts.voice ?? '', opts.language ?? '']))
      .digest('hex');
    const hit = this.memory.get(key);
    if (hit !== undefined) return hit;
    return this.flights.run(key, (shared) => this.load(key, text, opts, shared), signal);
  }

  private async load(key: string, text: string, opts: TtsOptions, signal: AbortSignal): Promise<Int16Array> {
    const fromDisk = await this.readDisk(key);
    if (fromDisk !== null) {
      this.memory.set(key, fromDisk);
      return fromDisk;
    }
    const samples = await this.inner.synthesize(text, opts, signal);
    this.memory.set(key, samples);
    await this.writeDisk(key, samples);
    return samples;
  }

  private async readDisk(key: string): Promise<Int16Array | null> {
    if (this.dir === undefined) return null;
    try {
      const buf = await readFile(join(this.dir, `${key}.pcm`));
      const bytes = new Uint8Array(buf.length & ~1);
      bytes.set(buf.subarray(0, bytes.length));
      if (!littleEndian) Buffer.from(bytes.buffer).swap16();
      return new Int16Array(bytes.buffer);
    } catch {
      return null;
    }
  }

  /** Best effort: a failed write only costs a later re-synthesis. */
  private async writeDisk(key: string, samples: Int16Array): Promise<void> {
    const dir = this.dir;
    if (dir === undefined) return;
    try {
      this.dirReady ??= mkdir(dir, { recursive: true });
      await this.dirReady;
      let bytes = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
      if (!littleEndian) bytes = Buffer.from(bytes).swap16();
      const tmp = join(dir, `${key}.pcm.${process.pid}.${++this.tmpCounter}.tmp`);
      await writeFile(tmp, bytes);
      await rename(tmp, join(dir, `${key}.pcm`));
    } catch {
      this.dirReady = null;
    }
  }
}
