import { alawDecode, alawEncode, mulawDecode, mulawEncode } from '../audio/g711.js';
import type { AudioCodec } from './codec.js';
import { ClipEncoder } from './encoded-clip.js';

/**
 * G.711 (ITU-T G.711, RFC 3551 §4.5.14) with whole-range lookup tables built
 * once from the reference converters, so the per-packet work is one table
 * read per sample and no allocation on the send path.
 */
interface G711Tables {
  encode: Uint8Array; // indexed by (sample + 32768)
  decode: Int16Array; // indexed by code byte
  clips: ClipEncoder; // prompt clips encoded once per law, shared by every stream
}

function buildTables(enc: (pcm: Int16Array) => Buffer, dec: (b: Uint8Array) => Int16Array): G711Tables {
  const all = new Int16Array(65536);
  for (let i = 0; i < 65536; i++) all[i] = i - 32768;
  const codes = new Uint8Array(256);
  for (let i = 0; i < 256; i++) codes[i] = i;
  const encode = new Uint8Array(enc(all));
  return { encode, decode: new Int16Array(dec(codes)), clips: new ClipEncoder(encode) };
}

let mulaw: G711Tables | undefined;
let alaw: G711Tables | undefined;

class G711Codec implements AudioCodec {
  readonly timestampStep = 160;
  readonly clips: ClipEncoder;
  constructor(
    readonly name: 'PCMU' | 'PCMA',
    private readonly t: G711Tables,
  ) {
    this.clips = t.clips;
  }

  encodeInto(frame: Int16Array, out: Buffer, offset: number): number {
    const enc = this.t.encode;
    const n = frame.length;
    for (let i = 0; i < n; i++) out[offset + i] = enc[frame[i] + 32768];
    return n;
  }

  decode(payload: Uint8Array): Int16Array {
    const dec = this.t.decode;
    const n = payload.length;
    const pcm = new Int16Array(n);
    for (let i = 0; i < n; i++) pcm[i] = dec[payload[i]];
    return pcm;
  }

  close(): void {}
}

export function createPcmu(): AudioCodec {
  mulaw ??= buildTables(mulawEncode, mulawDecode);
  return new G711Codec('PCMU', mulaw);
}

export function createPcma(): AudioCodec {
  alaw ??= buildTables(alawEncode, alawDecode);
  return new G711Codec('PCMA', alaw);
}
