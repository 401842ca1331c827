import { Registry } from 'prom-client';
import type { EventStream } from '../events/event-stream.js';
import { subscribeEventMetrics } from './event-metrics.js';
import { registerLiveMetrics, type LiveSources } from './live-metrics.js';
import { processMetrics } from './process-metrics.js';
import { checkReadiness, type ReadinessProbe, type ReadinessReport } from './readiness.js';

export type { LiveSources } from './live-metrics.js';

/**
 * The engine's metrics (Prometheus text, prom-client) and readiness: event
 * metrics from the engine's event stream, live ones read from its parts at
 * scrape time, and the process's own (CPU, memory, event-loop delay).
 */
export class EngineMetrics {
  private readonly registry = new Registry();
  private readonly unsubscribe: () => void;

  constructor(
    events: EventStream,
    sources: LiveSources,
    private readonly probes: Readonly<Record<string, ReadinessProbe>>,
  ) {
    this.unsubscribe = subscribeEventMetrics(events, this.registry);
    registerLiveMetrics(this.registry, sources);
  }

  /** The metrics as Prometheus's text exposition format, with its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    const merged = Registry.merge([this.registry, processMetrics()]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }

  readiness(): Promise<ReadinessReport> {
    return checkReadiness(this.probes);
  }

  close(): void {
    this.unsubscribe();
  }
}
