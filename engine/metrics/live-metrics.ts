import { Counter, Gauge, type Registry } from 'prom-client';
import type { MediaClockStats } from '../../media/embedded/clock.js';
import { LATENESS_BOUNDS_MS } from '../../media/embedded/clock.js';
import type { RtpTotals } from '../../media/embedded/embedded-media-server.js';
import type { SipCoreStats } from '../sipstack/core/sip-core.js';
import type { SipServerCounters } from '../sipstack/sip-server.js';
import { registerExternalHistogram } from './external-histogram.js';

/** What the engine holds now, read at scrape time; undefined where the part is absent (drachtio-server, FreeSWITCH) or not started. */
export interface LiveSources {
  /** Calls in progress, by direction. */
  calls(): ReadonlyMap<string, number>;
  /** The embedded SIP server's counts. */
  sip(): { stats: SipCoreStats; counters: SipServerCounters } | undefined;
  /** Media endpoints open (any driver). */
  endpoints(): number | undefined;
  /** The embedded media engine's RTP totals and clock. */
  rtp(): RtpTotals | undefined;
  clock(): MediaClockStats | undefined;
  /** Registrar: SIP users configured and bindings (registered contacts). */
  registrar(): { users: number; bindings: number } | undefined;
}

/** A counter whose value is a total kept by the engine, set from it at scrape time. */
function totalCounter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () => Iterable<{ labels: Partial<Record<L, string>>; value: number }> | undefined,
): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, value } of read() ?? []) this.inc(labels, value);
    },
  });
}

function gauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () => Iterable<{ labels: Partial<Record<L, string>>; value: number }> | undefined,
): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, value } of read() ?? []) this.set(labels, value);
    },
  });
}

const one = (value: number | undefined): { labels: Record<never, string>; value: number }[] | undefined =>
  value === undefined ? undefined : [{ labels: {}, value }];

/** The metrics read from live state when Prometheus scrapes: nothing is counted for them on the call or media path. */
export function registerLiveMetrics(registry: Registry, src: LiveSources): void {
  gauge(registry, 'dialtone_calls_active', 'Calls in progress in this engine (inbound, REST-created and Dial legs), by direction.', ['direction'], () =>
    [...src.calls()].map(([direction, value]) => ({ labels: { direction }, value })),
  );

  // The embedded SIP server (absent with drachtio-server, which has its own Prometheus port).
  totalCounter(registry, 'dialtone_sip_requests_total', 'SIP requests received (parsed) and sent by the embedded SIP server, by direction and method; retransmissions included.', ['direction', 'method'], () => {
    const sip = src.sip();
    if (!sip) return undefined;
    const m = sip.counters.messages;
    return [
      ...m.received.requests().map((r) => ({ labels: { direction: 'received', method: r.method }, value: r.count })),
      ...m.sent.requests().map((r) => ({ labels: { direction: 'sent', method: r.method }, value: r.count })),
    ];
  });
  totalCounter(registry, 'dialtone_sip_responses_total', 'SIP responses received and sent by the embedded SIP server, by direction, the method they answer (CSeq) and class (1xx..6xx).', ['direction', 'method', 'class'], () => {
    const sip = src.sip();
    if (!sip) return undefined;
    const m = sip.counters.messages;
    return [
      ...m.received.responses().map((r) => ({ labels: { direction: 'received', method: r.method, class: r.class }, value: r.count })),
      ...m.sent.responses().map((r) => ({ labels: { direction: 'sent', method: r.method, class: r.class }, value: r.count })),
    ];
  });
  totalCounter(registry, 'dialtone_sip_transactions_total', 'SIP transactions created by the embedded SIP server, by side (client, server).', ['side'], () => {
    const t = src.sip()?.counters.transactions;
    return t && [
      { labels: { side: 'client' }, value: t.clientCreated },
      { labels: { side: 'server' }, value: t.serverCreated },
    ];
  });
  totalCounter(registry, 'dialtone_sip_retransmissions_total', 'SIP retransmissions: requests and responses the embedded SIP server sent again (sent), requests that arrived again for a live transaction (received).', ['direction'], () => {
    const t = src.sip()?.counters.transactions;
    return t && [
      { labels: { direction: 'sent' }, value: t.retransmissionsSent },
      { labels: { direction: 'received' }, value: t.retransmissionsReceived },
    ];
  });
  gauge(registry, 'dialtone_sip_transactions', 'SIP transactions live in the embedded SIP server.', [], () => one(src.sip()?.stats.transactions));
  gauge(registry, 'dialtone_sip_dialogs', 'SIP dialogs live in the embedded SIP server.', [], () => one(src.sip()?.stats.dialogs));
  totalCounter(registry, 'dialtone_sip_scanner_requests_total', 'Requests from SIP scanners, by action (rejected with 603, discarded).', ['action'], () => {
    const s = src.sip()?.stats.scanners;
    return s && [
      { labels: { action: 'rejected' }, value: s.rejected },
      { labels: { action: 'discarded' }, value: s.discarded },
    ];
  });

  gauge(registry, 'dialtone_registrar_users', 'SIP users configured in the registrar.', [], () => one(src.registrar()?.users));
  gauge(registry, 'dialtone_registrations', 'Registered contacts (bindings) of SIP users in this engine.', [], () => one(src.registrar()?.bindings));

  // Media.
  gauge(registry, 'dialtone_media_endpoints', 'Media endpoints open (one per call leg with media).', [], () => one(src.endpoints()));
  totalCounter(registry, 'dialtone_rtp_packets_total', 'RTP packets of the embedded media engine, by direction (sent, received).', ['direction'], () => {
    const r = src.rtp();
    return r && [
      { labels: { direction: 'sent' }, value: r.sentPackets },
      { labels: { direction: 'received' }, value: r.receivedPackets },
    ];
  });
  totalCounter(registry, 'dialtone_rtp_bytes_total', 'RTP payload bytes of the embedded media engine, by direction (sent, received).', ['direction'], () => {
    const r = src.rtp();
    return r && [
      { labels: { direction: 'sent' }, value: r.sentBytes },
      { labels: { direction: 'received' }, value: r.receivedBytes },
    ];
  });
  totalCounter(registry, 'dialtone_rtp_packets_lost_total', 'RTP packets lost on the way in (expected from sequence numbers minus received, RFC 3550 A.3), summed over streams.', [], () => one(src.rtp()?.lost));
  gauge(registry, 'dialtone_rtp_jitter_max_seconds', 'Largest interarrival jitter (RFC 3550 A.8) of the RTP streams received now.', [], () => {
    const r = src.rtp();
    return one(r && r.maxJitterMs / 1000);
  });

  registerExternalHistogram(registry, {
    name: 'dialtone_media_clock_lateness_seconds',
    help: "Lateness of the shared 20 ms media clock's wake-ups against their deadlines.",
    bounds: LATENESS_BOUNDS_MS.map((ms) => ms / 1000),
    read: () => {
      const c = src.clock();
      return c && { counts: c.lateness.counts, sum: c.lateness.sumMs / 1000 };
    },
  });
  gauge(registry, 'dialtone_media_clock_max_lateness_seconds', 'Largest lateness of a media clock tick since start.', [], () => {
    const c = src.clock();
    return one(c && c.maxLateMs / 1000);
  });
  totalCounter(registry, 'dialtone_media_clock_ticks_total', 'Media clock ticks run (each phase counted), and ticks dropped because the process was too far behind.', ['outcome'], () => {
    const c = src.clock();
    return c && [
      { labels: { outcome: 'run' }, value: c.ticks },
      { labels: { outcome: 'skipped' }, value: c.skipped },
    ];
  });
  totalCounter(registry, 'dialtone_media_clock_busy_seconds_total', 'Time the media clock spent running streams.', [], () => {
    const c = src.clock();
    return one(c && c.busyMs / 1000);
  });
}
