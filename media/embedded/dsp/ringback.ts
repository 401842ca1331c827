/**
 * Ringing tones (ringback) of the countries `<Dial ringTone>` names, and
 * the tone_stream markup both media engines play them from.
 *
 * Each country's tone is its frequencies and its cadence (tone on, silence,
 * ...), as ITU-T E.180 (Supplement 2, "Various tones used in national
 * networks") lists them. Tones the supplement gives as one frequency
 * amplitude-modulated by another (India 400 x 25 Hz, South Africa 400 x
 * 33 Hz) are made as the two tones that carry the same beat: fc - fm/2
 * and fc + fm/2 (the envelope of their sum repeats at fm).
 *
 * A tone is written as FreeSWITCH's tone generation markup,
 * `tone_stream://%(on,off,f1[,f2...]);%(...)`: FreeSWITCH plays that string
 * itself, and the embedded engine turns it into PCM here
 * (toneStreamPeriod), so one source string serves both.
 */
import { MediaError } from '../../errors.js';
import { FRAME_SAMPLES, SAMPLE_RATE } from '../audio/format.js';
import { generateTone } from './tone.js';

/** The ringTone values of Twilio's <Dial> (its TwiML library's DialRingTone). */
export const RING_TONES = [
  'at',
  'au',
  'bg',
  'br',
  'be',
  'ch',
  'cl',
  'cn',
  'cz',
  'de',
  'dk',
  'ee',
  'es',
  'fi',
  'fr',
  'gr',
  'hu',
  'il',
  'in',
  'it',
  'lt',
  'jp',
  'mx',
  'my',
  'nl',
  'no',
  'nz',
  'ph',
  'pl',
  'pt',
  'ru',
  'se',
  'sg',
  'th',
  'uk',
  'us',
  'us-old',
  'tw',
  've',
  'za',
] as const;
export type RingTone = (typeof RING_TONES)[number];

export interface RingbackTone {
  /** Frequencies sounded together, Hz. */
  readonly freqs: readonly number[];
  /** Milliseconds of tone, then of silence, then of tone, ...; the pattern repeats. */
  readonly cadence: readonly number[];
}

/** A carrier amplitude-modulated by `mod` Hz, as the pair of tones that beat at `mod`. */
const modulated = (carrier: number, mod: number): number[] => [carrier - mod / 2, carrier + mod / 2];

const EUROPEAN = { freqs: [425], cadence: [1000, 4000] } as const;
const DOUBLE_RING = [400, 200, 400, 2000] as const;

export const RINGBACK_TONES: Readonly<Record<RingTone, RingbackTone>> = {
  at: { freqs: [420], cadence: [1000, 5000] },
  au: { freqs: [413, 438], cadence: DOUBLE_RING },
  bg: EUROPEAN,
  br: EUROPEAN,
  be: { freqs: [425], cadence: [1000, 3000] },
  ch: EUROPEAN,
  cl: { freqs: [400], cadence: [1000, 3000] },
  cn: { freqs: [450], cadence: [1000, 4000] },
  cz: EUROPEAN,
  de: EUROPEAN,
  dk: EUROPEAN,
  ee: EUROPEAN,
  es: { freqs: [425], cadence: [1500, 3000] },
  fi: EUROPEAN,
  fr: { freqs: [440], cadence: [1500, 3500] },
  gr: EUROPEAN,
  hu: { freqs: [425], cadence: [1250, 3750] },
  il: { freqs: [414], cadence: [1000, 3000] },
  in: { freqs: modulated(400, 25), cadence: DOUBLE_RING },
  it: EUROPEAN,
  lt: EUROPEAN,
  jp: { freqs: modulated(400, 16), cadence: [1000, 2000] },
  mx: EUROPEAN,
  my: { freqs: [425], cadence: DOUBLE_RING },
  nl: EUROPEAN,
  no: EUROPEAN,
  nz: { freqs: [400, 450], cadence: DOUBLE_RING },
  ph: { freqs: [425, 480], cadence: [1000, 4000] },
  pl: EUROPEAN,
  pt: { freqs: [425], cadence: [1000, 5000] },
  ru: EUROPEAN,
  se: { freqs: [425], cadence: [1000, 5000] },
  sg: { freqs: modulated(425, 24), cadence: DOUBLE_RING },
  th: { freqs: [420], cadence: [1000, 5000] },
  uk: { freqs: [400, 450], cadence: DOUBLE_RING },
  us: { freqs: [440, 480], cadence: [2000, 4000] },
  // The North American ringback of the 1950s: 420 Hz modulated by 40 Hz.
  'us-old': { freqs: modulated(420, 40), cadence: [2000, 4000] },
  tw: { freqs: [440, 480], cadence: [1000, 2000] },
  ve: EUROPEAN,
  za: { freqs: modulated(400, 33), cadence: DOUBLE_RING },
};

const PREFIX = 'tone_stream://';

/** One period of a country's ringback as a tone_stream source, e.g. `tone_stream://%(2000,4000,440,480)` for us. */
export function ringbackToneStream(tone: RingTone): string {
  const { freqs, cadence } = RINGBACK_TONES[tone];
  const elements: string[] = [];
  for (let i = 0; i < cadence.length; i += 2) elements.push(`%(${cadence[i]},${cadence[i + 1] ?? 0},${freqs.join(',')})`);
  return PREFIX + elements.join(';');
}

/** Peak level of a generated tone, as a fraction of full scale (about -9 dBFS). */
const AMPLITUDE = 0.35;
const RAMP_MS = 5;
const MAX_PERIOD_MS = 60_000;

const periods = new Map<string, Int16Array>();

/**
 * One period of a tone_stream source as 8 kHz PCM: each `%(on,off,freqs)`
 * element in turn, padded with silence to a whole number of 20 ms frames
 * so that it loops without a seam. A `loops=` setting is accepted and left
 * to the player (PlayOptions.loop). Anything else is refused with
 * MediaError 'bad-audio'. The result is shared: read it, do not modify it.
 */
export function toneStreamPeriod(source: string): Int16Array {
  const cached = periods.get(source);
  if (cached) return cached;
  if (!source.toLowerCase().startsWith(PREFIX)) throw new MediaError('bad-audio', `"${source}" is not a tone_stream source`);
  const parts: Int16Array[] = [];
  let totalMs = 0;
  for (const raw of source.slice(PREFIX.length).split(';')) {
    const item = raw.trim();
    if (item === '' || /^loops=-?\d+$/i.test(item)) continue;
    const inner = /^%\(([^)]*)\)$/.exec(item)?.[1];
    const numbers = inner === undefined ? [] : inner.split(',').map((s) => Number(s.trim()));
    if (numbers.length < 2 || numbers.some((n) => !Number.isFinite(n) || n < 0)) {
      throw new MediaError('bad-audio', `"${item}" in "${source}" is not a tone element %(on,off,freq...)`);
    }
    const [on, off, ...freqs] = numbers as [number, number, ...number[]];
    if (freqs.some((f) => f >= SAMPLE_RATE / 2)) throw new MediaError('bad-audio', `a frequency in "${item}" is not below ${SAMPLE_RATE / 2} Hz`);
    totalMs += on + off;
    if (totalMs > MAX_PERIOD_MS) throw new MediaError('bad-audio', `"${source}" lasts more than ${MAX_PERIOD_MS / 1000} s`);
    parts.push(freqs.length > 0 ? generateTone(freqs, on, AMPLITUDE, { rampMs: RAMP_MS }) : silence(on), silence(off));
  }
  const length = parts.reduce((n, p) => n + p.length, 0);
  if (length === 0) throw new MediaError('bad-audio', `"${source}" holds no tone`);
  const out = new Int16Array(Math.ceil(length / FRAME_SAMPLES) * FRAME_SAMPLES);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  if (periods.size >= 64) periods.clear();
  periods.set(source, out);
  return out;
}

/** True for a source toneStreamPeriod reads. */
export function isToneStream(source: string): boolean {
  return source.toLowerCase().startsWith(PREFIX);
}

function silence(ms: number): Int16Array {
  return new Int16Array(Math.round((ms * SAMPLE_RATE) / 1000));
}
