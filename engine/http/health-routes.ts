import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReadinessReport } from '../metrics/readiness.js';
import { refuseUnlessRead } from './wav-file-response.js';

/** What the engine answers /metrics and /readyz with. */
export interface HealthSource {
  scrape(): Promise<{ contentType: string; body: string }>;
  readiness(): Promise<ReadinessReport>;
}

export interface HealthRoutesOptions {
  /** Until the engine has started, /metrics is empty and /readyz answers 503 (starting). */
  source: () => HealthSource | undefined;
  /** When set, /metrics asks for `Authorization: Bearer <token>`; /healthz and /readyz never ask. */
  metricsToken?: string;
}

/**
 * GET/HEAD /healthz (the process is up: 200), /readyz (200 when the SIP
 * server is connected, media is ready and the store answers; 503 with a
 * JSON body naming what is not), /metrics (Prometheus text). Returns false
 * for any other path.
 */
export async function serveHealth(req: IncomingMessage, res: ServerResponse, opts: HealthRoutesOptions): Promise<boolean> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path !== '/healthz' && path !== '/readyz' && path !== '/metrics') return false;
  if (refuseUnlessRead(req, res)) return true;
  const body = (status: number, type: string, text: string, extra: Record<string, string> = {}): void => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...extra }).end(req.method === 'HEAD' ? undefined : text);
  };
  const json = (status: number, value: unknown): void => body(status, 'application/json; charset=utf-8', JSON.stringify(value) + '\n');
  if (path === '/healthz') {
    json(200, { status: 'ok' });
    return true;
  }
  const source = opts.source();
  if (path === '/readyz') {
    if (!source) json(503, { ready: false, notReady: ['engine'], checks: { engine: { ready: false, reason: 'starting' } } });
    else {
      const report = await source.readiness();
      json(report.ready ? 200 : 503, report);
    }
    return true;
  }
  if (opts.metricsToken !== undefined && !bearerMatches(req.headers.authorization, opts.metricsToken)) {
    body(401, 'text/plain; charset=utf-8', 'unauthorized\n', { 'WWW-Authenticate': 'Bearer realm="dialtone metrics"' });
    return true;
  }
  if (!source) {
    body(503, 'text/plain; charset=utf-8', 'starting\n');
    return true;
  }
  const scraped = await source.scrape();
  body(200, scraped.contentType, scraped.body);
  return true;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!.trim());
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
