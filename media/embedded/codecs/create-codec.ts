import type { PayloadFormat } from '../sdp/formats.js';
import type { AudioCodec } from './codec.js';
import { createPcma, createPcmu } from './g711-codec.js';
import { createOpus } from './opus-codec.js';

/** A codec instance for a negotiated audio payload format. */
export function createCodec(format: PayloadFormat): AudioCodec {
  switch (format.name) {
    case 'PCMU':
      return createPcmu();
    case 'PCMA':
      return createPcma();
    case 'opus':
      return createOpus();
    default:
      throw new Error(`not an audio codec: ${format.name}`);
  }
}
