/**
 * The media cache: audio URLs (and local files) -> decoded 8 kHz PCM.
 *
 * A prompt is downloaded and converted once; afterwards it is served from an
 * in-memory LRU and, behind that, from converted copies on disk. Reuse follows
 * HTTP caching (RFC 9111): a fresh entry is used without any request; a stale
 * one is revalidated with If-None-Match / If-Modified-Since and, on 304 Not
 * Modified, the converted copy is kept. Concurrent requests for one URL
 * share a single download.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, type Dispatcher, interceptors, request } from 'undici';
import { decodeAudio } from './embedded/audio/decode-audio.js';
import { isToneStream, toneStreamPeriod } from './embedded/dsp/ringback.js';
import { type CacheMeta, CacheStore } from './cache-store.js';
import { MediaError } from './errors.js';
import { computeFreshness, conditionalHeaders, mergePolicyHeaders, pickPolicyHeaders } from './http-freshness.js';
import { LruCache } from './util/lru.js';
import { SingleFlight } from './util/single-flight.js';

export interface MediaCacheOptions {
  /** Directory for converted audio; created if missing. */
  dir: string;
  /** Disk budget for converted audio (default 1 GiB). */
  maxBytes?: number;
  /** Memory budget for decoded audio (default 64 MiB, about 70 minutes). */
  memoryBytes?: number;
  /** Whole-download time limit (default 10 s). */
  fetchTimeoutMs?: number;
  /** Freshness of responses that carry no Cache-Control max-age or Expires (default 300 s). */
  defaultTtlMs?: number;
  /** Largest download accepted (default 50 MiB). */
  maxDownloadBytes?: number;
  /** undici dispatcher (proxy, TLS settings, connection pool); the global one by default. */
  dispatcher?: Dispatcher;
  /** Clock, for tests of expiry (default Date.now). */
  now?: () => number;
}

/** Counters a user can watch (e.g. exported as metrics). */
export interface MediaCacheStats {
  /** Served from memory without any I/O. */
  memoryHits: number;
  /** Served from the converted copy on disk. */
  diskHits: number;
  /** HTTP requests sent (full downloads and revalidations). */
  requests: number;
  /** Revalidations answered 304 Not Modified. */
  notModified: number;
  /** Downloads or files decoded to PCM. */
  conversions: number;
}

interface Entry {
  meta: CacheMeta;
  samples: Int16Array;
}

const REDIRECTS = 5;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** What a network error means to a user. */
function describeNetworkError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'timed out';
    default:
      return e.message ?? String(err);
  }
}

let agent: Agent | undefined;
function sharedAgent(): Agent {
  agent ??= new Agent();
  return agent;
}

export class MediaCache {
  readonly stats: MediaCacheStats = { memoryHits: 0, diskHits: 0, requests: 0, notModified: 0, conversions: 0 };
  private readonly memory: LruCache<string, Entry>;
  private readonly store: CacheStore;
  private readonly flights = new SingleFlight<string, Int16Array>();
  private readonly fetchTimeoutMs: number;
  private readonly defaultTtlMs: number;
  private readonly maxDownloadBytes: number;
  private readonly dispatcher: Dispatcher;
  private readonly now: () => number;

  constructor(opts: MediaCacheOptions) {
    this.memory = new LruCache<string, Entry>({
      maxSize: opts.memoryBytes ?? 64 * 1024 * 1024,
      sizeOf: (e) => e.samples.byteLength,
    });
    this.store = new CacheStore(opts.dir, opts.maxBytes ?? 1024 * 1024 * 1024);
    this.fetchTimeoutMs = opts.fetchTimeoutMs ?? 10_000;
    this.defaultTtlMs = opts.defaultTtlMs ?? 300_000;
    this.maxDownloadBytes = opts.maxDownloadBytes ?? 50 * 1024 * 1024;
    // An agent of this undici, not the global dispatcher: once anything in the process has used
    // Node's own fetch, the global one is Node's bundled undici, whose handler API differs
    // (on Node 20 every download then failed with "invalid onError method").
    this.dispatcher = (opts.dispatcher ?? sharedAgent()).compose(
      interceptors.redirect({ maxRedirections: REDIRECTS }),
    );
    this.now = opts.now ?? Date.now;
  }

  /**
   * Audio at an http(s) URL, a file:// URL or a local path, or a generated
   * tone_stream:// tone, as 8 kHz mono PCM.
   * Rejects with MediaError 'fetch-failed' (unreachable, HTTP error, timeout,
   * missing file) or 'bad-audio' (not decodable), or the signal's reason.
   * The returned array is shared with other callers: read it, do not modify it.
   */
  async get(url: string, signal?: AbortSignal): Promise<Int16Array> {
    signal?.throwIfAborted();
    if (/^https?:\/\//i.test(url)) return this.getHttp(url, signal);
    // Generated tones (a <Dial> ringback), written as FreeSWITCH's tone_stream markup.
    if (isToneStream(url)) return toneStreamPeriod(url);
    let path: string;
    if (/^file:/i.test(url)) {
      try {
        path = fileURLToPath(url);
      } catch (err) {
        throw new MediaError('fetch-failed', `cannot read "${url}": ${(err as Error).message}`, { cause: err });
      }
    } else if (/^[a-z][a-z0-9+.-]+:/i.test(url)) {
      throw new MediaError('fetch-failed', `cannot fetch "${url}": only http, https and file URLs are supported`);
    } else {
      path = resolvePath(url);
    }
    return this.getFile(path, signal);
  }

  private isFresh(meta: CacheMeta): boolean {
    return meta.lifetimeMs === null || this.now() - meta.fetchedAt < meta.lifetimeMs;
  }

  private async getHttp(url: string, signal?: AbortSignal): Promise<Int16Array> {
    const key = sha256(`url\0${url}`);
    const hot = this.memory.get(key);
    if (hot !== undefined && this.isFresh(hot.meta)) {
      this.stats.memoryHits++;
      return hot.samples;
    }
    return this.flights.run(key, (shared) => this.loadHttp(url, key, shared), signal);
  }

  private async loadHttp(url: string, key: string, signal: AbortSignal): Promise<Int16Array> {
    let entry: Entry | null = this.memory.peek(key) ?? null;
    if (entry === null) {
      const meta = await this.store.readMeta(key);
      if (meta !== null && meta.source === url) {
        const samples = await this.store.readSamples(key, meta.samples);
        if (samples !== null) entry = { meta, samples };
      }
    }
    if (entry !== null && this.isFresh(entry.meta)) {
      this.stats.diskHits++;
      this.memory.set(key, entry);
      return entry.samples;
    }
    const validators = entry !== null ? conditionalHeaders(entry.meta.headers) : {};
    const res = await this.download(url, validators, signal);
    const receivedAt = this.now();
    if (res.status === 304 && entry !== null) {
      // RFC 9111 section 4.3.4: freshen the stored response with the 304's headers.
      this.stats.notModified++;
      const headers = mergePolicyHeaders(entry.meta.headers, res.policy);
      const f = computeFreshness(headers, this.defaultTtlMs, receivedAt);
      const meta: CacheMeta = { ...entry.meta, headers, fetchedAt: receivedAt - f.initialAgeMs, lifetimeMs: f.lifetimeMs };
      const updated = { meta, samples: entry.samples };
      this.memory.set(key, updated);
      if (f.storable) await this.store.writeMeta(key, meta).catch(() => undefined);
      return updated.samples;
    }
    if (res.status === 304) {
      throw new MediaError('fetch-failed', `GET ${url} failed: unexpected 304 Not Modified`);
    }
    this.stats.conversions++;
    const samples = await decodeAudio(res.body, { contentType: res.contentType, source: url }, signal);
    const f = computeFreshness(res.policy, this.defaultTtlMs, receivedAt);
    const meta: CacheMeta = {
      source: url,
      fetchedAt: receivedAt - f.initialAgeMs,
      lifetimeMs: f.lifetimeMs,
      headers: res.policy,
      samples: samples.length,
    };
    if (!f.storable) {
      this.memory.delete(key);
      await this.store.remove(key).catch(() => undefined);
      return samples;
    }
    this.memory.set(key, { meta, samples });
    // A full disk must not fail the call: the audio is in hand.
    await this.store.write(key, meta, samples).catch(() => undefined);
    return samples;
  }

  private async download(
    url: string,
    extraHeaders: Record<string, string>,
    signal: AbortSignal,
  ): Promise<{ status: number; body: Buffer; contentType?: string; policy: ReturnType<typeof pickPolicyHeaders> }> {
    const timeout = AbortSignal.timeout(this.fetchTimeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    this.stats.requests++;
    try {
      const res = await request(url, {
        method: 'GET',
        headers: { accept: 'audio/*, */*;q=0.5', ...extraHeaders },
        dispatcher: this.dispatcher,
        signal: combined,
      });
      const policy = pickPolicyHeaders((name) => header(res.headers, name));
      const contentType = header(res.headers, 'content-type');
      if (res.statusCode === 304) {
        await res.body.dump();
        return { status: 304, body: Buffer.alloc(0), policy, contentType };
      }
      if (res.statusCode < 200 || res.statusCode >= 300) {
        await res.body.dump().catch(() => undefined);
        const reason = res.statusCode >= 300 && res.statusCode < 400 ? ' (too many or broken redirects)' : '';
        throw new MediaError('fetch-failed', `GET ${url} failed: HTTP ${res.statusCode}${reason}`);
      }
      const declared = Number(header(res.headers, 'content-length') ?? NaN);
      if (declared > this.maxDownloadBytes) {
        res.body.destroy();
        throw new MediaError('fetch-failed', `GET ${url} failed: ${declared} bytes is over the ${this.maxDownloadBytes}-byte limit`);
      }
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const chunk of res.body) {
        total += (chunk as Buffer).length;
        if (total > this.maxDownloadBytes) {
          res.body.destroy();
          throw new MediaError('fetch-failed', `GET ${url} failed: response is over the ${this.maxDownloadBytes}-byte limit`);
        }
        chunks.push(chunk as Buffer);
      }
      return { status: res.statusCode, body: Buffer.concat(chunks, total), contentType, policy };
    } catch (err) {
      if (err instanceof MediaError) throw err;
      if (signal.aborted) throw signal.reason ?? err;
      if (timeout.aborted) {
        throw new MediaError('fetch-failed', `GET ${url} failed: no complete response within ${this.fetchTimeoutMs} ms`, {
          cause: err,
        });
      }
      throw new MediaError('fetch-failed', `GET ${url} failed: ${describeNetworkError(err)}`, { cause: err });
    }
  }

  private async getFile(path: string, signal?: AbortSignal): Promise<Int16Array> {
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'no such file' : (err as Error).message;
      throw new MediaError('fetch-failed', `cannot read "${path}": ${reason}`, { cause: err });
    }
    if (!st.isFile()) throw new MediaError('fetch-failed', `cannot read "${path}": not a regular file`);
    // The key changes whenever the file does, so entries never need revalidation.
    const key = sha256(`file\0${path}\0${st.mtimeMs}\0${st.size}`);
    const hot = this.memory.get(key);
    if (hot !== undefined) {
      this.stats.memoryHits++;
      return hot.samples;
    }
    return this.flights.run(
      key,
      async (shared) => {
        const meta = await this.store.readMeta(key);
        if (meta !== null && meta.source === path) {
          const samples = await this.store.readSamples(key, meta.samples);
          if (samples !== null) {
            this.stats.diskHits++;
            this.memory.set(key, { meta, samples });
            return samples;
          }
        }
        let buf: Buffer;
        try {
          buf = await readFile(path, { signal: shared });
        } catch (err) {
          if (shared.aborted) throw err;
          throw new MediaError('fetch-failed', `cannot read "${path}": ${(err as Error).message}`, { cause: err });
        }
        this.stats.conversions++;
        const samples = await decodeAudio(buf, { source: path }, shared);
        const fresh: CacheMeta = { source: path, fetchedAt: this.now(), lifetimeMs: null, headers: {}, samples: samples.length };
        this.memory.set(key, { meta: fresh, samples });
        await this.store.write(key, fresh, samples).catch(() => undefined);
        return samples;
      },
      signal,
    );
  }
}
