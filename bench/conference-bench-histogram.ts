/** Deviations in ms, binned at 10 µs up to 100 ms, for percentiles without keeping every sample. */
export class Histogram {
  private readonly bins = new Uint32Array(10_000);
  n = 0;
  max = 0;

  add(ms: number): void {
    this.bins[Math.min(this.bins.length - 1, Math.floor(ms / 0.01))]!++;
    this.n++;
    if (ms > this.max) this.max = ms;
  }

  percentile(p: number): number {
    const target = Math.ceil(this.n * p);
    let acc = 0;
    for (let i = 0; i < this.bins.length; i++) {
      acc += this.bins[i]!;
      if (acc >= target) return (i + 0.5) * 0.01;
    }
    return this.bins.length * 0.01;
  }
}
