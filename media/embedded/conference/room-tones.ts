import { generateTone } from '../dsp/tone.js';
import type { ConferenceTone } from '../../types.js';

/**
 * The tones a room plays when a member enters (two rising notes) or leaves
 * (the same notes falling): short, soft, and unlike a DTMF pair.
 */
function twoNotes(first: number, second: number): Int16Array {
  const a = generateTone([first], 140, 0.25, { rampMs: 10 });
  const gap = new Int16Array(320);
  const b = generateTone([second], 180, 0.25, { rampMs: 10 });
  const out = new Int16Array(a.length + gap.length + b.length);
  out.set(a, 0);
  out.set(b, a.length + gap.length);
  return out;
}

const TONES: Record<ConferenceTone, Int16Array> = {
  enter: twoNotes(523, 784),
  exit: twoNotes(784, 523),
};

export function roomTone(kind: ConferenceTone): Int16Array {
  return TONES[kind];
}
