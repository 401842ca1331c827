import { Counter, Histogram, type Registry } from 'prom-client';
import type { EngineEvent } from '../events/engine-events.js';
import type { EventStream } from '../events/event-stream.js';

/**
 * The metrics the event stream has the information for: calls by direction
 * and final status, call set-up time, and the requests to applications
 * (latency and failures). One subscriber; its work per event is a label
 * lookup and an increment.
 */
export function subscribeEventMetrics(events: EventStream, registry: Registry): () => void {
  const calls = new Counter({
    name: 'dialtone_calls_total',
    help: 'Calls that ended, by direction (inbound, outbound-api, outbound-dial) and final status (completed, busy, failed, no-answer, canceled).',
    labelNames: ['direction', 'status'] as const,
    registers: [registry],
  });
  const setup = new Histogram({
    name: 'dialtone_call_setup_seconds',
    help: 'Time from the INVITE received (inbound) or the call created (REST API, Dial leg) to its answer, by direction.',
    labelNames: ['direction'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60],
    registers: [registry],
  });
  const webhookLatency = new Histogram({
    name: 'dialtone_webhook_duration_seconds',
    help: "Time of a request to an application until its answer (or failure), by application, purpose (instructions, status-callback) and outcome (ok, error).",
    labelNames: ['application', 'purpose', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    registers: [registry],
  });
  const webhookFailures = new Counter({
    name: 'dialtone_webhook_failures_total',
    help: "Requests to an application that failed, by application, purpose and Twilio error code (11200 HTTP retrieval failure, 12100 document parse failure, ...).",
    labelNames: ['application', 'purpose', 'code'] as const,
    registers: [registry],
  });

  const onEvent = (event: EngineEvent): void => {
    switch (event.type) {
      case 'call.answered':
        setup.observe({ direction: event.call.direction }, Math.max(0, event.at.getTime() - event.call.dateCreated.getTime()) / 1000);
        return;
      case 'call.completed':
        calls.inc({ direction: event.call.direction, status: event.call.status });
        return;
      case 'webhook.answered': {
        // The request names its application where it has one (a call's documents and callbacks); else 'none'.
        const application = event.applicationId ?? 'none';
        webhookLatency.observe({ application, purpose: event.purpose, outcome: event.error ? 'error' : 'ok' }, event.latencyMs / 1000);
        if (event.error) webhookFailures.inc({ application, purpose: event.purpose, code: String(event.error.code) });
        return;
      }
      default:
        return;
    }
  };
  return events.subscribe(onEvent);
}
