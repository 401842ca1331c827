/**
 * What a monitoring stack sees of the engine: /metrics in Prometheus text
 * moves by exactly the calls placed (by direction and final status), their
 * set-up times, the documents fetched, the SIP messages exchanged and the
 * RTP sent; /healthz and /readyz answer 200 on a running engine, and
 * /readyz answers 503 naming the store while Redis is down.
 */
import { describe, it } from 'vitest';
import { waitUntil } from '../support/ports.js';
import { parsePrometheusText, type Exposition } from '../support/prometheus-text.js';
import { startRedis } from '../support/redis-server.js';
import { describeSipp } from '../support/sipp.js';
import { drachtioUnderTest, freeswitchUnderTest } from '../support/test-variants.js';
import { respond } from './helpers/app-server.js';
import { CallerMedia } from './helpers/caller-media.js';
import { startRouter } from './helpers/router-harness.js';

const CALLS = 3;

async function scrape(httpBase: string, headers: Record<string, string> = {}): Promise<Exposition> {
  const res = await fetch(`${httpBase}/metrics`, { headers });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  if (!/^text\/plain; version=0\.0\.4/.test(res.headers.get('content-type') ?? '')) throw new Error(`content type ${res.headers.get('content-type')}`);
  return parsePrometheusText(await res.text());
}

interface Readiness {
  ready: boolean;
  notReady: string[];
  checks: Record<string, { ready: boolean; reason?: string }>;
}

async function readyz(httpBase: string): Promise<{ status: number; body: Readiness }> {
  const res = await fetch(`${httpBase}/readyz`);
  return { status: res.status, body: (await res.json()) as Readiness };
}

describe('metrics and health', () => {
  it('/metrics moves by exactly the calls placed, their set-up, their documents, SIP messages and RTP', { timeout: 60_000 }, async ({ expect, onTestFinished }) => {
    const h = await startRouter({ applications: [{ id: 'hello', voice: '/voice' }] });
    onTestFinished(() => h.stop());
    h.app.on('/voice', respond('<Say>Metrics.</Say><Hangup/>'));
    const media = await Promise.all(Array.from({ length: CALLS }, () => CallerMedia.open()));
    onTestFinished(async () => void (await Promise.all(media.map((m) => m.close()))));

    const health = await fetch(`${h.httpBase}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await readyz(h.httpBase);
    expect(ready).toEqual({
      status: 200,
      body: { ready: true, notReady: [], checks: { sip: { ready: true }, media: { ready: true }, store: { ready: true } } },
    });

    const before = await scrape(h.httpBase);
    for (const name of ['dialtone_calls_total', 'dialtone_call_setup_seconds', 'dialtone_webhook_duration_seconds', 'dialtone_webhook_failures_total', 'dialtone_calls_active', 'dialtone_nodejs_eventloop_lag_seconds']) {
      expect(before.families.has(name), name).toBe(true);
    }
    expect(before.families.get('dialtone_call_setup_seconds')?.type).toBe('histogram');
    expect(before.families.get('dialtone_calls_total')?.type).toBe('counter');
    expect(before.value('dialtone_calls_active')).toBe(0);

    const calls = await Promise.all(media.map((m) => h.call({ scenario: 'answered', user: 'hello', media: m })));
    const during = await scrape(h.httpBase);
    for (const call of calls) {
      const result = await call.done;
      expect(result.exitCode, describeSipp(result)).toBe(0);
    }
    // A call's completed event follows its BYE: wait for the counter, then expect it exact.
    const completed = { direction: 'inbound', status: 'completed' };
    let after = await scrape(h.httpBase);
    await waitUntil(async () => (after = await scrape(h.httpBase)).value('dialtone_calls_total', completed) - before.value('dialtone_calls_total', completed) >= CALLS, 10_000, 'three completed calls counted');
    const delta = (name: string, labels?: Record<string, string>): number => after.value(name, labels) - before.value(name, labels);

    expect(delta('dialtone_calls_total', completed)).toBe(CALLS);
    expect(delta('dialtone_calls_total')).toBe(CALLS);
    expect(after.value('dialtone_calls_active')).toBe(0);
    expect(during.value('dialtone_calls_active', { direction: 'inbound' })).toBeLessThanOrEqual(CALLS);
    expect(delta('dialtone_call_setup_seconds_count', { direction: 'inbound' })).toBe(CALLS);
    // Every call was answered within seconds (the application answers at once), and none in no time.
    expect(delta('dialtone_call_setup_seconds_bucket', { direction: 'inbound', le: '5' })).toBe(CALLS);
    expect(delta('dialtone_call_setup_seconds_sum', { direction: 'inbound' })).toBeGreaterThan(0);

    const documents = h.app.to('/voice').length;
    expect(documents).toBe(CALLS);
    const ok = { application: 'hello', purpose: 'instructions', outcome: 'ok' };
    expect(delta('dialtone_webhook_duration_seconds_count', ok)).toBe(documents);
    expect(delta('dialtone_webhook_duration_seconds_count', { outcome: 'error' })).toBe(0);
    expect(delta('dialtone_webhook_failures_total')).toBe(0);

    if (!drachtioUnderTest()) {
      // The embedded SIP server: an INVITE, an ACK and a 200 to the engine's BYE from each caller (more only if retransmitted).
      const retransmittedIn = delta('dialtone_sip_retransmissions_total', { direction: 'received' });
      const retransmittedOut = delta('dialtone_sip_retransmissions_total', { direction: 'sent' });
      const invites = delta('dialtone_sip_requests_total', { direction: 'received', method: 'INVITE' });
      expect(invites).toBeGreaterThanOrEqual(CALLS);
      expect(invites).toBeLessThanOrEqual(CALLS + retransmittedIn);
      expect(delta('dialtone_sip_requests_total', { direction: 'received', method: 'ACK' })).toBeGreaterThanOrEqual(CALLS);
      const byes = delta('dialtone_sip_requests_total', { direction: 'sent', method: 'BYE' });
      expect(byes).toBeGreaterThanOrEqual(CALLS);
      expect(byes).toBeLessThanOrEqual(CALLS + retransmittedOut);
      expect(delta('dialtone_sip_responses_total', { direction: 'sent', method: 'INVITE', class: '2xx' })).toBeGreaterThanOrEqual(CALLS);
      expect(delta('dialtone_sip_responses_total', { direction: 'sent', method: 'INVITE', class: '1xx' })).toBeGreaterThanOrEqual(CALLS);
      expect(delta('dialtone_sip_responses_total', { direction: 'received', method: 'BYE', class: '2xx' })).toBe(CALLS);
      expect(delta('dialtone_sip_transactions_total', { side: 'server' })).toBeGreaterThanOrEqual(CALLS);
      expect(delta('dialtone_sip_transactions_total', { side: 'client' })).toBe(CALLS);
    } else {
      // drachtio-server counts its own SIP (its Prometheus port): the engine reports none.
      expect(after.has('dialtone_sip_requests_total')).toBe(false);
    }

    if (!freeswitchUnderTest()) {
      // The prompt went out as RTP to each caller, and the media clock ran.
      const received = media.reduce((n, m) => n + m.packets.length, 0);
      expect(received).toBeGreaterThan(0);
      expect(delta('dialtone_rtp_packets_total', { direction: 'sent' })).toBeGreaterThanOrEqual(received);
      expect(delta('dialtone_media_clock_lateness_seconds_count')).toBeGreaterThan(0);
      expect(after.value('dialtone_media_clock_lateness_seconds_bucket', { le: '+Inf' })).toBe(after.value('dialtone_media_clock_lateness_seconds_count'));
      expect(after.value('dialtone_media_endpoints')).toBe(0);
    }
  });

  it('/metrics asks for the configured bearer token; /healthz and /readyz never do', async ({ expect, onTestFinished }) => {
    const token = 'metrics-token-0123456789';
    const h = await startRouter({ applications: [{ id: 'hello', voice: '/voice' }], config: { http: { address: '127.0.0.1', port: 0, metricsToken: token } } });
    onTestFinished(() => h.stop());
    const refused = await fetch(`${h.httpBase}/metrics`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await fetch(`${h.httpBase}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    expect((await scrape(h.httpBase, { authorization: `Bearer ${token}` })).families.has('dialtone_calls_total')).toBe(true);
    expect((await fetch(`${h.httpBase}/healthz`)).status).toBe(200);
    expect((await readyz(h.httpBase)).status).toBe(200);
  });

  it('/readyz answers 503 naming the store while Redis is down, and 200 once it is back', { timeout: 40_000 }, async ({ expect, onTestFinished }) => {
    const redis = await startRedis();
    onTestFinished(() => redis.stop());
    const h = await startRouter({ applications: [{ id: 'hello', voice: '/voice' }], config: { store: { redis: redis.url } } });
    onTestFinished(() => h.stop());
    expect((await readyz(h.httpBase)).status).toBe(200);

    await redis.kill();
    let down = await readyz(h.httpBase);
    await waitUntil(async () => (down = await readyz(h.httpBase)).status === 503, 10_000, '/readyz to answer 503');
    expect(down.body.ready).toBe(false);
    expect(down.body.notReady).toEqual(['store']);
    expect(down.body.checks.store?.ready).toBe(false);
    expect(down.body.checks.store?.reason).toMatch(/\S/);
    expect(down.body.checks.sip).toEqual({ ready: true });
    // The process itself is still up.
    expect((await fetch(`${h.httpBase}/healthz`)).status).toBe(200);

    await redis.restart();
    await waitUntil(async () => (await readyz(h.httpBase)).status === 200, 15_000, '/readyz to answer 200 again');
  });
});
