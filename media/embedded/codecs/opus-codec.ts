import { createRequire } from 'node:module';
import type OpusScriptType from 'opusscript';
import { FRAME_SAMPLES, SAMPLE_RATE } from '../audio/format.js';
import type { AudioCodec } from './codec.js';

// opusscript is CommonJS with `export =` typings.
const require = createRequire(import.meta.url);
const OpusScript = require('opusscript') as typeof OpusScriptType;

/**
 * Opus (RFC 6716) through opusscript, libopus compiled to WebAssembly, so it
 * installs from the npm registry with no native build.
 *
 * libopus encodes from and decodes to 8 kHz itself (its API takes 8, 12, 16,
 * 24 or 48 kHz PCM and resamples internally), so the internal 8 kHz frames
 * go in and out without a separate resampler. RFC 7587 §4.1: the RTP clock
 * is 48 kHz whatever the audio bandwidth, so a 20 ms frame steps the
 * timestamp by 960. Mono: RFC 7587 §3.4 lets a receiver decode a stereo
 * stream to mono.
 */
class OpusCodec implements AudioCodec {
  readonly name = 'opus';
  readonly timestampStep = 960;
  private readonly opus = new OpusScript(SAMPLE_RATE, 1, OpusScript.Application.VOIP);

  encodeInto(frame: Int16Array, out: Buffer, offset: number): number {
    const pcm = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
    const packet = this.opus.encode(pcm, FRAME_SAMPLES);
    packet.copy(out, offset);
    return packet.length;
  }

  decode(payload: Uint8Array): Int16Array {
    const pcm = this.opus.decode(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
    // Copy out of the decoder's scratch memory, which the next call overwrites.
    const samples = new Int16Array(pcm.length >> 1);
    for (let i = 0; i < samples.length; i++) samples[i] = pcm.readInt16LE(i * 2);
    return samples;
  }

  close(): void {
    this.opus.delete();
  }
}

export function createOpus(): AudioCodec {
  return new OpusCodec();
}
