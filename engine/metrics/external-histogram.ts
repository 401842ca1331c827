import type { Metric, Registry } from 'prom-client';

/** Bucket counts kept elsewhere (not cumulative: one per bound, and one more above the last), with their sum. */
export interface BucketCounts {
  counts: readonly number[];
  sum: number;
}

/**
 * A Prometheus histogram whose observations are counted by someone else in
 * fixed buckets (the media clock counts its lateness so, with no library on
 * its path): read and written out at scrape time only.
 */
export function registerExternalHistogram(
  registry: Registry,
  opts: { name: string; help: string; bounds: readonly number[]; read: () => BucketCounts | undefined },
): void {
  const metric = {
    name: opts.name,
    help: opts.help,
    type: 'histogram',
    aggregator: 'sum',
    collect: undefined,
    get: () => {
      const read = opts.read();
      const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
      if (read) {
        let cumulative = 0;
        opts.bounds.forEach((le, i) => {
          cumulative += read.counts[i] ?? 0;
          values.push({ metricName: `${opts.name}_bucket`, labels: { le }, value: cumulative });
        });
        cumulative += read.counts[opts.bounds.length] ?? 0;
        values.push({ metricName: `${opts.name}_bucket`, labels: { le: '+Inf' }, value: cumulative });
        values.push({ metricName: `${opts.name}_sum`, labels: {}, value: read.sum });
        values.push({ metricName: `${opts.name}_count`, labels: {}, value: cumulative });
      }
      return Promise.resolve({ name: opts.name, help: opts.help, type: 'histogram', aggregator: 'sum', values });
    },
  };
  // The registry needs only name, help, type and get() of a metric; prom-client types it as its own classes.
  registry.registerMetric(metric as unknown as Metric);
}
