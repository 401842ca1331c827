/**
 * In-band DTMF detection (ITU-T Q.23 signal, Q.24 receiver guidelines) for
 * callers whose keypresses arrive as audio rather than RFC 4733 events.
 *
 * Audio is cut into blocks of 102 samples (12.75 ms at 8 kHz, bin spacing
 * about 78 Hz, enough to separate the closest pair of row tones). In each
 * block the Goertzel algorithm measures the energy at the eight Q.23
 * frequencies; the block holds a digit when
 *  - both the strongest row and the strongest column tone exceed a minimum level,
 *  - each is clearly stronger than the other tones of its group,
 *  - their level difference is within the twist limits (Q.24 section 4.2),
 *  - together they carry most of the block's energy (rejects speech and noise),
 *  - each is within about 2.25% of its nominal frequency (Q.24 section 4.1 asks
 *    that deviations of 1.5% be accepted and 3.5% rejected): the energy at the
 *    nominal frequency must exceed the energy 4.5% above and below it, which
 *    holds only while the tone lies closer to nominal than to either offset.
 * A digit is reported once, when it has been present for `confirmBlocks`
 * consecutive blocks, and is released after two blocks without it.
 */
import { SAMPLE_RATE } from '../audio/format.js';
import { DTMF_COLS, DTMF_KEYS, DTMF_ROWS } from './tone.js';

export interface DtmfDetectorOptions {
  /** Tones at least this long are always detected (default 40 ms, the Q.24 recommendation). */
  minDurationMs?: number;
  /** Weakest accepted level of each tone, as peak dBFS (default -40). */
  minToneDbfs?: number;
  /** Low group stronger than high group, dB (default 8). */
  normalTwistDb?: number;
  /** High group stronger than low group, dB (default 6). */
  reverseTwistDb?: number;
  /** Share of the block's energy the two tones must carry (default 0.7). */
  minEnergyRatio?: number;
}

const BLOCK = 102;
/** The winning tone must beat every other tone of its group by this much (6 dB, as power). */
const GROUP_DOMINANCE = 3.98;
/** Blocks without the digit before it is released (a new press can then be reported). */
const RELEASE_BLOCKS = 2;

const FREQS = [...DTMF_ROWS, ...DTMF_COLS];
const coeff = (f: number): number => 2 * Math.cos((2 * Math.PI * f) / SAMPLE_RATE);
const COEFFS = Float64Array.from(FREQS, coeff);
/** Frequency offset, as a fraction, at which a tone is certainly off-nominal. */
const OFF_NOMINAL = 0.045;
const COEFFS_BELOW = Float64Array.from(FREQS, (f) => coeff(f * (1 - OFF_NOMINAL)));
const COEFFS_ABOVE = Float64Array.from(FREQS, (f) => coeff(f * (1 + OFF_NOMINAL)));

/** Energy of x at the frequency whose Goertzel coefficient is c, as the energy of a sine: 2|X|^2 / N. */
function goertzel(x: Float64Array, c: number): number {
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    const s0 = x[i] + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (2 * (s1 * s1 + s2 * s2 - c * s1 * s2)) / x.length;
}

function dbToPower(db: number): number {
  return 10 ** (db / 10);
}

export class InbandDtmfDetector {
  private readonly block = new Float64Array(BLOCK);
  private fill = 0;
  private readonly energies = new Float64Array(8);
  private readonly confirmBlocks: number;
  private readonly minToneEnergy: number;
  private readonly normalTwist: number;
  private readonly reverseTwist: number;
  private readonly minEnergyRatio: number;
  /** Digit seen in the last block(s) and for how many consecutive blocks. */
  private candidate: string | null = null;
  private candidateBlocks = 0;
  /** Digit reported and still sounding, and blocks since it was last seen. */
  private current: string | null = null;
  private missing = 0;

  constructor(opts: DtmfDetectorOptions = {}) {
    const minSamples = ((opts.minDurationMs ?? 40) * SAMPLE_RATE) / 1000;
    // Any tone of minSamples contains this many whole blocks, however it is aligned.
    this.confirmBlocks = Math.max(1, Math.floor((minSamples - BLOCK + 1) / BLOCK));
    const minAmplitude = 32768 * 10 ** ((opts.minToneDbfs ?? -40) / 20);
    // Energy of a sine of that amplitude over one block.
    this.minToneEnergy = (BLOCK * minAmplitude * minAmplitude) / 2;
    this.normalTwist = dbToPower(opts.normalTwistDb ?? 8);
    this.reverseTwist = dbToPower(opts.reverseTwistDb ?? 6);
    this.minEnergyRatio = opts.minEnergyRatio ?? 0.7;
  }

  /** Feed audio (any length, usually one 20 ms frame); returns digits that began sounding. */
  push(frame: Int16Array): string[] {
    const found: string[] = [];
    for (let i = 0; i < frame.length; i++) {
      this.block[this.fill++] = frame[i];
      if (this.fill === BLOCK) {
        this.fill = 0;
        const digit = this.track(this.analyse());
        if (digit !== null) found.push(digit);
      }
    }
    return found;
  }

  /** Forget any tone in progress (e.g. after the stream was interrupted). */
  reset(): void {
    this.fill = 0;
    this.candidate = null;
    this.candidateBlocks = 0;
    this.current = null;
    this.missing = 0;
  }

  /** The digit present in the current block, or null. */
  private analyse(): string | null {
    const x = this.block;
    let total = 0;
    for (let i = 0; i < BLOCK; i++) total += x[i] * x[i];
    if (total < 2 * this.minToneEnergy) return null;
    for (let f = 0; f < 8; f++) this.energies[f] = goertzel(x, COEFFS[f]);
    const e = this.energies;
    const row = strongest(e, 0);
    const col = strongest(e, 4);
    const rowE = e[row];
    const colE = e[4 + col];
    if (rowE < this.minToneEnergy || colE < this.minToneEnergy) return null;
    if (rowE > colE * this.normalTwist || colE > rowE * this.reverseTwist) return null;
    for (let k = 0; k < 4; k++) {
      if (k !== row && e[k] * GROUP_DOMINANCE > rowE) return null;
      if (k !== col && e[4 + k] * GROUP_DOMINANCE > colE) return null;
    }
    if (rowE + colE < this.minEnergyRatio * total) return null;
    for (const [f, e0] of [[row, rowE], [4 + col, colE]]) {
      if (goertzel(x, COEFFS_BELOW[f]) >= e0 || goertzel(x, COEFFS_ABOVE[f]) >= e0) return null;
    }
    return DTMF_KEYS[row][col];
  }

  /** Debounce: report a digit once when confirmed, release it after a gap. */
  private track(digit: string | null): string | null {
    if (this.current !== null) {
      if (digit === this.current) {
        this.missing = 0;
      } else if (++this.missing >= RELEASE_BLOCKS) {
        this.current = null;
      }
    }
    if (digit === null) {
      this.candidate = null;
      this.candidateBlocks = 0;
      return null;
    }
    if (digit === this.candidate) this.candidateBlocks++;
    else {
      this.candidate = digit;
      this.candidateBlocks = 1;
    }
    if (this.current === null && this.candidateBlocks >= this.confirmBlocks) {
      this.current = digit;
      this.missing = 0;
      return digit;
    }
    return null;
  }
}

function strongest(e: Float64Array, from: number): number {
  let best = 0;
  for (let k = 1; k < 4; k++) if (e[from + k] > e[from + best]) best = k;
  return best;
}
