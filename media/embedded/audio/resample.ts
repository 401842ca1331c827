/**
 * Sample-rate conversion by band-limited interpolation: every output sample
 * is a dot product of nearby input samples with a Kaiser-windowed sinc whose
 * cutoff sits just below the lower of the two Nyquist frequencies, so that
 * downsampling does not fold high frequencies back into the telephone band.
 *
 * Coefficients are precomputed per output phase (the ratio is reduced to
 * lowest terms, so 48000 -> 8000 has one phase and 8000 -> 48000 has six),
 * leaving only multiply-adds in the per-sample loop.
 */

interface Design {
  /** Input samples consumed per output sample, as the fraction step = num / den. */
  num: number;
  den: number;
  /** Taps either side of the centre, in input samples. */
  half: number;
  /** taps[phase * width + j] multiplies input (base - half + 1 + j). */
  taps: Float32Array;
  width: number;
}

/** Upper bound on precomputed phases; rates are integers in Hz, so 8000/44100 needs 80. */
const MAX_PHASES = 4096;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (series expansion). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

function checkRate(rate: number, name: string): void {
  if (!Number.isInteger(rate) || rate <= 0 || rate > 768_000) {
    throw new RangeError(`${name} must be a positive integer sample rate in Hz, got ${rate}`);
  }
}

/**
 * @param zeroCrossings sinc lobes kept on each side of the centre (quality vs cost)
 * @param beta Kaiser window shape (about 8 gives ~80 dB stop-band attenuation)
 */
function design(fromRate: number, toRate: number, zeroCrossings: number, beta: number): Design {
  checkRate(fromRate, 'fromRate');
  checkRate(toRate, 'toRate');
  const g = gcd(fromRate, toRate);
  const num = fromRate / g;
  const den = toRate / g;
  if (den > MAX_PHASES) {
    throw new RangeError(`cannot resample ${fromRate} Hz -> ${toRate} Hz: ratio too fine`);
  }
  // Cutoff as a fraction of the input Nyquist frequency; 0.91 leaves room for the transition band.
  const cutoff = Math.min(1, toRate / fromRate) * 0.91;
  const half = Math.ceil(zeroCrossings / cutoff);
  const width = 2 * half;
  const taps = new Float32Array(den * width);
  const i0Beta = besselI0(beta);
  for (let phase = 0; phase < den; phase++) {
    const frac = phase / den; // output time = base + frac, in input samples
    let sum = 0;
    for (let j = 0; j < width; j++) {
      const d = j - half + 1 - frac; // distance of the tap's input sample from output time
      const x = cutoff * d;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const r = d / half;
      const w = Math.abs(r) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
      const h = cutoff * sinc * w;
      taps[phase * width + j] = h;
      sum += h;
    }
    // Normalise each phase to unity DC gain so that no phase ripples.
    if (sum !== 0) for (let j = 0; j < width; j++) taps[phase * width + j] /= sum;
  }
  return { num, den, half, taps, width };
}

function clip16(v: number): number {
  const r = Math.round(v);
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}

/**
 * Convert a whole signal (a file, a prompt) between sample rates with a long
 * filter. Output length is round(input.length * toRate / fromRate); the
 * filter is centred, so there is no delay.
 */
export function resample(input: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate) return input.slice();
  const d = design(fromRate, toRate, 16, 8.6);
  const outLength = Math.round((input.length * d.den) / d.num);
  const out = new Int16Array(outLength);
  const { num, den, half, taps, width } = d;
  const n = input.length;
  let base = 0; // integer part of the output time, in input samples
  let phase = 0; // fractional part, in 1/den
  for (let o = 0; o < outLength; o++) {
    const start = base - half + 1;
    const t = phase * width;
    let acc = 0;
    if (start >= 0 && start + width <= n) {
      for (let j = 0; j < width; j++) acc += input[start + j] * taps[t + j];
    } else {
      for (let j = 0; j < width; j++) {
        const k = start + j;
        if (k >= 0 && k < n) acc += input[k] * taps[t + j];
      }
    }
    out[o] = clip16(acc);
    phase += num;
    while (phase >= den) {
      phase -= den;
      base++;
    }
  }
  return out;
}

/**
 * Resampler for a live stream cut into chunks (e.g. 20 ms RTP packets),
 * keeping filter history across calls so that chunk boundaries are
 * seamless. It uses a short filter (cheap per packet) and delays the signal
 * by `delaySamples` input samples; for rates in a whole-number relation it
 * returns exactly chunk.length * toRate / fromRate samples per chunk.
 */
export class StreamResampler {
  private readonly d: Design | null;
  /** Unconsumed input history, Float32 to avoid re-clipping. */
  private history: Float32Array;
  private base: number;
  private phase = 0;

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    this.d = fromRate === toRate ? null : design(fromRate, toRate, 5, 6);
    const half = this.d?.half ?? 0;
    // Start with 2*half zeros and the first output centred half samples in, so the
    // very first chunk already yields its full share of output.
    this.history = new Float32Array(2 * half);
    this.base = half;
  }

  /** Input samples of delay introduced by the filter's look-ahead. */
  get delaySamples(): number {
    return this.d?.half ?? 0;
  }

  process(chunk: Int16Array): Int16Array {
    const d = this.d;
    if (d === null) return chunk.slice();
    const { num, den, half, taps, width } = d;
    const buf = new Float32Array(this.history.length + chunk.length);
    buf.set(this.history, 0);
    for (let i = 0; i < chunk.length; i++) buf[this.history.length + i] = chunk[i];
    const n = buf.length;
    // Upper bound on outputs this call can produce.
    const maxOut = Math.ceil(((n - this.base) * den) / num) + 1;
    const out = new Int16Array(Math.max(0, maxOut));
    let count = 0;
    let base = this.base;
    let phase = this.phase;
    while (base + half < n) {
      const start = base - half + 1;
      const t = phase * width;
      let acc = 0;
      for (let j = 0; j < width; j++) acc += buf[start + j] * taps[t + j];
      out[count++] = clip16(acc);
      phase += num;
      while (phase >= den) {
        phase -= den;
        base++;
      }
    }
    // Keep what the next outputs still need: from base - half + 1 onwards.
    const keepFrom = Math.max(0, Math.min(n, base - half + 1));
    this.history = buf.slice(keepFrom);
    this.base = base - keepFrom;
    this.phase = phase;
    return count === out.length ? out : out.slice(0, count);
  }
}
