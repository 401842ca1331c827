/**
 * G.711 companding (ITU-T G.711, 1988): mu-law (PCMU, RTP payload type 0)
 * and A-law (PCMA, payload type 8) <-> signed 16-bit linear PCM.
 *
 * These run once per RTP packet for every stream, so both directions are
 * plain table look-ups: a 256-entry decode table per law and a 65536-entry
 * encode table indexed by the 16-bit sample's bit pattern (64 KiB each).
 */

/** mu-law: bias added before segment search (G.711 Table 2a, scaled to 16 bits). */
const MULAW_BIAS = 0x84;
/** Largest magnitude that still fits the top segment once the bias is added. */
const MULAW_CLIP = 32635;

/** Encode one 16-bit sample to a mu-law byte (G.711 section 3, Table 2a). */
function mulawEncodeSample(sample: number): number {
  let sign = 0;
  let magnitude = sample;
  if (magnitude < 0) {
    sign = 0x80;
    magnitude = -magnitude;
  }
  if (magnitude > MULAW_CLIP) magnitude = MULAW_CLIP;
  magnitude += MULAW_BIAS;
  // Segment (exponent) = position of the highest set bit among bits 7..14.
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  // Character signal bits are transmitted inverted (G.711 Table 2a note).
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** Decode one mu-law byte to a 16-bit sample (G.711 Table 2a, decoder output). */
function mulawDecodeSample(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + MULAW_BIAS) << exponent) - MULAW_BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

/** Encode one 16-bit sample to an A-law byte (G.711 section 2, Table 1a). */
function alawEncodeSample(sample: number): number {
  let sign: number;
  let magnitude: number;
  if (sample >= 0) {
    sign = 0x80; // A-law: bit 1 set means positive
    magnitude = sample;
  } else {
    sign = 0;
    magnitude = -sample - 1; // keeps -32768 in range, symmetric decision levels
  }
  magnitude >>= 3; // A-law works on 13-bit magnitudes
  let byte: number;
  if (magnitude < 32) {
    // Segments 0 and 1 share the same step size.
    byte = magnitude >> 1;
  } else {
    let exponent = 1;
    while (magnitude >> (exponent + 5) !== 0 && exponent < 7) exponent++;
    byte = (exponent << 4) | ((magnitude >> exponent) & 0x0f);
  }
  // Even bits are inverted on the line (G.711 Table 1a note: "alternate digit inversion").
  return (sign | byte) ^ 0x55;
}

/** Decode one A-law byte to a 16-bit sample (G.711 Table 1a, decoder output). */
function alawDecodeSample(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  let magnitude = (mantissa << 4) + 8;
  if (exponent > 0) magnitude = (magnitude + 0x100) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

function buildDecodeTable(decode: (byte: number) => number): Int16Array {
  const table = new Int16Array(256);
  for (let b = 0; b < 256; b++) table[b] = decode(b);
  return table;
}

function buildEncodeTable(encode: (sample: number) => number): Uint8Array {
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encode(i < 32768 ? i : i - 65536);
  return table;
}

const MULAW_DECODE = buildDecodeTable(mulawDecodeSample);
const ALAW_DECODE = buildDecodeTable(alawDecodeSample);
const MULAW_ENCODE = buildEncodeTable(mulawEncodeSample);
const ALAW_ENCODE = buildEncodeTable(alawEncodeSample);

function encodeWith(table: Uint8Array, pcm: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = table[pcm[i] & 0xffff];
  return out;
}

function decodeWith(table: Int16Array, buf: Uint8Array): Int16Array {
  const out = new Int16Array(buf.length);
  for (let i = 0; i < buf.length; i++) out[i] = table[buf[i]];
  return out;
}

/** 16-bit linear PCM -> mu-law bytes, one byte per sample. */
export function mulawEncode(pcm: Int16Array): Buffer {
  return encodeWith(MULAW_ENCODE, pcm);
}

/** mu-law bytes -> 16-bit linear PCM. */
export function mulawDecode(buf: Uint8Array): Int16Array {
  return decodeWith(MULAW_DECODE, buf);
}

/** 16-bit linear PCM -> A-law bytes, one byte per sample. */
export function alawEncode(pcm: Int16Array): Buffer {
  return encodeWith(ALAW_ENCODE, pcm);
}

/** A-law bytes -> 16-bit linear PCM. */
export function alawDecode(buf: Uint8Array): Int16Array {
  return decodeWith(ALAW_DECODE, buf);
}
