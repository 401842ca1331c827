import type { ClipEncoder } from './encoded-clip.js';

/** An audio codec as the RTP session uses it: 20 ms frames of 8 kHz PCM in and out. */
export interface AudioCodec {
  readonly name: string;
  /** RTP timestamp units per 20 ms frame (160 for G.711, 960 for Opus). */
  readonly timestampStep: number;
  /** Encodes one 160-sample frame into `out` at `offset`; returns the bytes written. */
  encodeInto(frame: Int16Array, out: Buffer, offset: number): number;
  /** Decodes one RTP payload to 8 kHz PCM. Throws on a payload it cannot decode. */
  decode(payload: Uint8Array): Int16Array;
  /**
   * Sample-wise codecs (G.711) only: encodes whole prompt clips once, shared
   * by every stream, so that sending a prompt frame is a copy.
   */
  readonly clips?: ClipEncoder;
  /** Frees native or WebAssembly state, if any. */
  close(): void;
}
