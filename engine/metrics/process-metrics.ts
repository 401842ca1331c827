import { collectDefaultMetrics, Registry } from 'prom-client';

let shared: Registry | undefined;

/**
 * prom-client's default metrics (CPU, memory, heap, GC, event-loop delay as
 * dialtone_nodejs_eventloop_lag_*), once per process: they describe the
 * process, so several engines in one process (tests, embedding) share them.
 */
export function processMetrics(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared, prefix: 'dialtone_' });
  }
  return shared;
}
