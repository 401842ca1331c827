import { describe, expect, it } from 'vitest';
import { alawDecode, alawEncode, mulawDecode, mulawEncode } from '../../../media/embedded/audio/g711.js';

const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('G.711', () => {
  it('mu-law: known code words (silence is 0xFF, full scale is 0x80/0x00)', () => {
    expect([...mulawEncode(Int16Array.of(0, 32767, -32768, -1))]).toEqual([0xff, 0x80, 0x00, 0x7f]);
    const d = mulawDecode(Uint8Array.of(0xff, 0x7f, 0x80, 0x00));
    expect([...d]).toEqual([0, 0, 32124, -32124]);
  });

  it('A-law: known code words (silence is 0xD5/0x55, full scale 0xAA/0x2A)', () => {
    expect([...alawEncode(Int16Array.of(0, -1, 32767, -32768))]).toEqual([0xd5, 0x55, 0xaa, 0x2a]);
    expect([...alawDecode(Uint8Array.of(0xd5, 0x55, 0xaa, 0x2a))]).toEqual([8, -8, 32256, -32256]);
  });

  it('decode then encode gives back every code word', () => {
    const mu = mulawEncode(mulawDecode(everyByte));
    // 0x7F is the "negative zero" of mu-law; it decodes to 0, which encodes as 0xFF.
    expect([...mu].filter((b, i) => b !== i)).toEqual([0xff]);
    expect([...alawEncode(alawDecode(everyByte))]).toEqual([...everyByte]);
  });

  it('quantisation error stays within half a step (about 3% of the value) across the range', () => {
    const pcm = new Int16Array(65536);
    for (let i = 0; i < 65536; i++) pcm[i] = i - 32768;
    for (const [enc, dec] of [
      [mulawEncode, mulawDecode],
      [alawEncode, alawDecode],
    ] as const) {
      const back = dec(enc(pcm));
      for (let i = 0; i < pcm.length; i += 7) {
        const v = pcm[i];
        if (Math.abs(v) > 32000) continue; // clipped top segment
        expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(Math.max(16, Math.abs(v) * 0.035));
      }
    }
  });
});
