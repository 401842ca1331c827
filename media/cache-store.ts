/**
 * The media cache's files: for each entry, `<key>.pcm` (the converted audio,
 * raw signed 16-bit little-endian, 8 kHz mono) and `<key>.json` (where it
 * came from and the HTTP validators and freshness to reuse it by). Writes go
 * to a temporary name first and are renamed into place, so a crash never
 * leaves a half-written entry. Total size is kept under a byte budget by
 * removing the least recently used entries.
 */
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CachePolicyHeaders } from './http-freshness.js';

export interface CacheMeta {
  /** The URL or file path the audio came from. */
  source: string;
  /** When the response was received, minus its Age (ms since epoch). */
  fetchedAt: number;
  /** Freshness lifetime from fetchedAt, ms; null means "never stale" (local files keyed by mtime). */
  lifetimeMs: number | null;
  headers: CachePolicyHeaders;
  samples: number;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function toBytes(samples: Int16Array): Buffer {
  const view = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  return littleEndian ? view : Buffer.from(view).swap16();
}

function fromBytes(buf: Buffer): Int16Array {
  const copy = new Uint8Array(buf.length & ~1);
  copy.set(buf.subarray(0, copy.length));
  const samples = new Int16Array(copy.buffer);
  if (!littleEndian) Buffer.from(copy.buffer).swap16();
  return samples;
}

function isMeta(v: unknown): v is CacheMeta {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return (
    typeof m.source === 'string' &&
    typeof m.fetchedAt === 'number' &&
    (m.lifetimeMs === null || typeof m.lifetimeMs === 'number') &&
    typeof m.headers === 'object' &&
    m.headers !== null &&
    typeof m.samples === 'number'
  );
}

export class CacheStore {
  /** Entry sizes in bytes, least recently used first. */
  private readonly sizes = new Map<string, number>();
  private total = 0;
  private ready: Promise<void> | null = null;
  private tmpCounter = 0;

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
  ) {}

  /** Create the directory and learn what is already there (oldest first by mtime). */
  private init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.dir, { recursive: true });
      const names = await readdir(this.dir);
      const found: Array<{ key: string; bytes: number; mtime: number }> = [];
      for (const name of names) {
        if (name.includes('.tmp')) {
          await rm(join(this.dir, name), { force: true });
          continue;
        }
        if (!name.endsWith('.pcm')) continue;
        const st = await stat(join(this.dir, name)).catch(() => null);
        if (st) found.push({ key: name.slice(0, -4), bytes: st.size, mtime: st.mtimeMs });
      }
      found.sort((a, b) => a.mtime - b.mtime);
      for (const f of found) this.track(f.key, f.bytes);
    })();
    return this.ready;
  }

  private track(key: string, bytes: number): void {
    this.total -= this.sizes.get(key) ?? 0;
    this.sizes.delete(key);
    this.sizes.set(key, bytes);
    this.total += bytes;
  }

  private touch(key: string): void {
    const bytes = this.sizes.get(key);
    if (bytes !== undefined) this.track(key, bytes);
  }

  /** The stored metadata, or null when absent or unreadable. */
  async readMeta(key: string): Promise<CacheMeta | null> {
    await this.init();
    try {
      const parsed: unknown = JSON.parse(await readFile(join(this.dir, `${key}.json`), 'utf8'));
      return isMeta(parsed) ? parsed : null;
    } catch {
      return null;
    }
  }

  /** The stored audio, or null when absent or not the length the metadata says. */
  async readSamples(key: string, expected: number): Promise<Int16Array | null> {
    await this.init();
    try {
      const buf = await readFile(join(this.dir, `${key}.pcm`));
      if (buf.length !== expected * 2) return null;
      this.touch(key);
      return fromBytes(buf);
    } catch {
      return null;
    }
  }

  async write(key: string, meta: CacheMeta, samples: Int16Array): Promise<void> {
    await this.init();
    const bytes = samples.byteLength;
    if (bytes > this.maxBytes) return;
    await this.atomicWrite(`${key}.pcm`, toBytes(samples));
    await this.atomicWrite(`${key}.json`, JSON.stringify(meta));
    this.track(key, bytes);
    await this.evict();
  }

  async writeMeta(key: string, meta: CacheMeta): Promise<void> {
    await this.init();
    await this.atomicWrite(`${key}.json`, JSON.stringify(meta));
    this.touch(key);
  }

  async remove(key: string): Promise<void> {
    await this.init();
    this.total -= this.sizes.get(key) ?? 0;
    this.sizes.delete(key);
    await rm(join(this.dir, `${key}.json`), { force: true });
    await rm(join(this.dir, `${key}.pcm`), { force: true });
  }

  private async atomicWrite(name: string, data: Buffer | string): Promise<void> {
    const tmp = join(this.dir, `${name}.${process.pid}.${++this.tmpCounter}.tmp`);
    await writeFile(tmp, data);
    await rename(tmp, join(this.dir, name));
  }

  private async evict(): Promise<void> {
    while (this.total > this.maxBytes) {
      const oldest = this.sizes.keys().next();
      if (oldest.done) return;
      await this.remove(oldest.value);
    }
  }
}
