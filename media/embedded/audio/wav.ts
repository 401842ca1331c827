/**
 * WAV (RIFF/WAVE) files: decode anything a prompt is likely to be stored as
 * into the internal format, encode PCM back to WAV, and write recordings.
 *
 * Container layout per the Microsoft RIFF specification ("Multimedia
 * Programming Interface and Data Specifications 1.0", 1991) and the
 * WAVE_FORMAT_EXTENSIBLE addendum: a "RIFF" header, form type "WAVE", then
 * chunks of (4-byte id, 32-bit little-endian size, data, pad byte if odd).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { MediaError } from '../../errors.js';
import { SAMPLE_RATE } from './format.js';
import { alawDecode, mulawDecode } from './g711.js';
import { resample } from './resample.js';

/** wFormatTag values (RFC 2361, Appendix A). */
const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_ALAW = 0x0006;
const WAVE_FORMAT_MULAW = 0x0007;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Thrown for a well-formed WAV whose encoding this module does not decode (ADPCM, GSM...). */
export class UnsupportedWavEncoding extends MediaError {
  constructor(
    readonly formatTag: number,
    message: string,
  ) {
    super('bad-audio', message);
  }
}

interface WavFormat {
  formatTag: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
}

function describe(source: string | undefined): string {
  return source ? `"${source}"` : 'audio data';
}

function badAudio(source: string | undefined, reason: string): MediaError {
  return new MediaError('bad-audio', `cannot decode ${describe(source)} as WAV: ${reason}`);
}

function parseFmt(buf: Buffer, off: number, size: number, source: string | undefined): WavFormat {
  if (size < 16) throw badAudio(source, `fmt chunk is ${size} bytes, need at least 16`);
  let formatTag = buf.readUInt16LE(off);
  const fmt: WavFormat = {
    formatTag,
    channels: buf.readUInt16LE(off + 2),
    sampleRate: buf.readUInt32LE(off + 4),
    blockAlign: buf.readUInt16LE(off + 12),
    bitsPerSample: buf.readUInt16LE(off + 14),
  };
  if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
    // WAVEFORMATEXTENSIBLE: cbSize(2) wValidBitsPerSample(2) dwChannelMask(4) SubFormat GUID(16).
    // The GUID's first two bytes carry the real wFormatTag.
    if (size < 40) throw badAudio(source, 'WAVE_FORMAT_EXTENSIBLE fmt chunk is too short');
    formatTag = buf.readUInt16LE(off + 24);
    fmt.formatTag = formatTag;
  }
  if (fmt.channels === 0) throw badAudio(source, 'fmt chunk declares 0 channels');
  if (fmt.sampleRate < 1000 || fmt.sampleRate > 768_000) {
    throw badAudio(source, `unsupported sample rate ${fmt.sampleRate} Hz`);
  }
  return fmt;
}

/** Bytes per sample of one channel, from the container (blockAlign) when it is sane. */
function containerBytes(fmt: WavFormat): number {
  const fromAlign = fmt.blockAlign / fmt.channels;
  if (Number.isInteger(fromAlign) && fromAlign > 0) return fromAlign;
  return Math.ceil(fmt.bitsPerSample / 8);
}

type SampleReader = (buf: Buffer, off: number) => number;

/** A reader returning one sample as a float in [-1, 1), or null when the encoding is not ours. */
function sampleReader(fmt: WavFormat, bytes: number): SampleReader | null {
  switch (fmt.formatTag) {
    case WAVE_FORMAT_PCM:
      // 8-bit WAV is unsigned with a 128 offset; wider samples are signed little-endian,
      // left-justified in their container, so reading the whole container works.
      if (bytes === 1) return (b, o) => (b[o] - 128) / 128;
      if (bytes === 2) return (b, o) => b.readInt16LE(o) / 32768;
      if (bytes === 3) return (b, o) => b.readIntLE(o, 3) / 8388608;
      if (bytes === 4) return (b, o) => b.readInt32LE(o) / 2147483648;
      return null;
    case WAVE_FORMAT_IEEE_FLOAT:
      if (bytes === 4) return (b, o) => b.readFloatLE(o);
      if (bytes === 8) return (b, o) => b.readDoubleLE(o);
      return null;
    case WAVE_FORMAT_MULAW:
    case WAVE_FORMAT_ALAW: {
      if (bytes !== 1) return null;
      const table = fmt.formatTag === WAVE_FORMAT_MULAW ? mulawDecode(allBytes) : alawDecode(allBytes);
      return (b, o) => table[b[o]] / 32768;
    }
    default:
      return null;
  }
}

const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);

/** Sizes that streaming writers put in headers they cannot seek back to fix. */
function isStreamedSize(size: number): boolean {
  return size === 0 || size === 0xffffffff || size >= 0x7fff0000;
}

/**
 * Decode a WAV file to the internal format (8 kHz mono signed 16-bit).
 * Channels are averaged; other sample rates are resampled.
 * @param source file name or URL, used in error messages
 */
export function decodeWav(buf: Buffer, source?: string): Int16Array {
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WAVE') {
    throw badAudio(source, 'not a RIFF/WAVE file');
  }
  let fmt: WavFormat | null = null;
  let dataStart = -1;
  let dataEnd = -1;
  let off = 12;
  while (off + 8 <= buf.length) {
    const id = buf.toString('latin1', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      if (body + size > buf.length) throw badAudio(source, 'file is truncated inside the fmt chunk');
      fmt = parseFmt(buf, body, size, source);
    } else if (id === 'data') {
      dataStart = body;
      if (isStreamedSize(size) && (size === 0 || body + size > buf.length)) {
        dataEnd = buf.length; // length unknown when written: the data runs to the end of the file
      } else if (body + size <= buf.length) {
        dataEnd = body + size;
      } else {
        throw badAudio(source, `file is truncated: data chunk declares ${size} bytes, ${buf.length - body} present`);
      }
      if (fmt !== null || dataEnd === buf.length) break; // nothing after the samples matters
    }
    // RIFF chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
    off = body + size + (size & 1);
  }
  if (fmt === null) throw badAudio(source, 'no fmt chunk');
  if (dataStart < 0) throw badAudio(source, 'no data chunk');

  const bytes = containerBytes(fmt);
  const read = sampleReader(fmt, bytes);
  if (read === null) {
    throw new UnsupportedWavEncoding(
      fmt.formatTag,
      `cannot decode ${describe(source)}: WAV encoding 0x${fmt.formatTag.toString(16).padStart(4, '0')} ` +
        `with ${fmt.bitsPerSample} bits per sample is not supported`,
    );
  }
  const frameBytes = bytes * fmt.channels;
  const frames = Math.floor((dataEnd - dataStart) / frameBytes);
  const mono = new Int16Array(frames);
  const scale = 32768 / fmt.channels;
  for (let f = 0, o = dataStart; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < fmt.channels; c++, o += bytes) sum += read(buf, o);
    const v = Math.round(sum * scale);
    mono[f] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return fmt.sampleRate === SAMPLE_RATE ? mono : resample(mono, fmt.sampleRate, SAMPLE_RATE);
}

/** The canonical 44-byte header of a 16-bit mono PCM WAV file. */
function pcmHeader(dataBytes: number, sampleRate: number, channels = 1): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(Math.min(0xffffffff, 36 + dataBytes), 4);
  h.write('WAVE', 8, 'latin1');
  h.write('fmt ', 12, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2 * channels, 28); // byte rate
  h.writeUInt16LE(2 * channels, 32); // block align
  h.writeUInt16LE(16, 34); // bits per sample
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(Math.min(0xffffffff, dataBytes), 40);
  return h;
}

/** Little-endian bytes of 16-bit samples (a view on little-endian hosts). */
function pcmBytes(samples: Int16Array): Buffer {
  const view = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return view;
  const copy = Buffer.from(view);
  copy.swap16();
  return copy;
}

/** Encode samples as a 16-bit mono PCM WAV file. */
export function encodeWav(samples: Int16Array, sampleRate: number = SAMPLE_RATE): Buffer {
  return Buffer.concat([pcmHeader(samples.byteLength, sampleRate), pcmBytes(samples)]);
}

/** Encode interleaved samples of `channels` channels as a 16-bit PCM WAV file. */
export function encodeWavInterleaved(samples: Int16Array, channels: number, sampleRate: number = SAMPLE_RATE): Buffer {
  return Buffer.concat([pcmHeader(samples.byteLength, sampleRate, channels), pcmBytes(samples)]);
}

/** Bytes buffered before a write is started; 32 KiB is 2 s at 8 kHz. */
const FLUSH_BYTES = 32 * 1024;

/**
 * A WAV recording written as it happens. `write` only buffers and never
 * blocks the media clock; data goes to disk in the background and `close`
 * waits for it, then fills in the RIFF and data sizes.
 */
export class WavFileWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private written = 0;
  private samples = 0;
  private flushing: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private closed: Promise<{ path: string; samples: number; durationMs: number }> | null = null;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    readonly sampleRate: number,
  ) {}

  /** Create (or truncate) the file and write a provisional header. */
  static async open(path: string, sampleRate: number = SAMPLE_RATE): Promise<WavFileWriter> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'w');
    } catch (err) {
      throw new MediaError('io', `cannot create recording "${path}": ${(err as Error).message}`, { cause: err });
    }
    const writer = new WavFileWriter(fh, path, sampleRate);
    try {
      await fh.write(pcmHeader(0, sampleRate), 0, 44, 0);
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw new MediaError('io', `cannot write recording "${path}": ${(err as Error).message}`, { cause: err });
    }
    return writer;
  }

  /** Queue samples for writing. Ignored once close() has been called. */
  write(samples: Int16Array): void {
    if (this.closed !== null || samples.length === 0) return;
    this.pending.push(Buffer.from(pcmBytes(samples)));
    this.pendingBytes += samples.byteLength;
    this.samples += samples.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const chunk = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    const position = 44 + this.written;
    this.written += chunk.length;
    this.flushing = this.flushing.then(async () => {
      if (this.failure !== null) return;
      try {
        await this.fh.write(chunk, 0, chunk.length, position);
      } catch (err) {
        this.failure = err;
      }
    });
  }

  /** Write what is buffered, patch the header sizes and close the file. Idempotent. */
  close(): Promise<{ path: string; samples: number; durationMs: number }> {
    this.closed ??= this.finish();
    return this.closed;
  }

  private async finish(): Promise<{ path: string; samples: number; durationMs: number }> {
    this.flush();
    await this.flushing;
    try {
      if (this.failure === null) await this.fh.write(pcmHeader(this.written, this.sampleRate), 0, 44, 0);
    } catch (err) {
      this.failure = err;
    }
    await this.fh.close().catch((err: unknown) => {
      this.failure ??= err;
    });
    if (this.failure !== null) {
      throw new MediaError('io', `cannot write recording "${this.path}": ${(this.failure as Error).message}`, {
        cause: this.failure,
      });
    }
    return { path: this.path, samples: this.samples, durationMs: (this.samples * 1000) / this.sampleRate };
  }
}
