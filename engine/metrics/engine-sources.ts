import { EmbeddedMediaServer } from '../../media/embedded/index.js';
import { FreeSwitchMediaServer } from '../../media/freeswitch/index.js';
import type { MediaServer } from '../../media/types.js';
import type { LiveCalls } from '../calls/live-calls.js';
import type { EventStream } from '../events/event-stream.js';
import type { SipRegistrar } from '../registrar/sip-registrar.js';
import type { SipServer } from '../sipstack/sip-server.js';
import type { StateStore } from '../store/types.js';
import { EngineMetrics } from './engine-metrics.js';

/** The engine's parts as its metrics read them, each as it is now (absent before it started). */
export interface EngineParts {
  events: EventStream;
  live: LiveCalls;
  state: StateStore;
  sipServer(): SipServer | undefined;
  sipConnected(): boolean;
  media(): MediaServer | undefined;
  registrar(): SipRegistrar | undefined;
  /** Media endpoints open now (undefined for a media server the engine was given). */
  endpoints(): number | undefined;
}

/** Metrics from the event stream and from the engine's parts, and the probes of /readyz. */
export function engineMetrics(parts: EngineParts): EngineMetrics {
  const embeddedMedia = (): EmbeddedMediaServer | undefined => {
    const media = parts.media();
    return media instanceof EmbeddedMediaServer ? media : undefined;
  };
  return new EngineMetrics(
    parts.events,
    {
      calls: () => {
        const byDirection = new Map<string, number>();
        for (const call of parts.live.values()) byDirection.set(call.session.direction, (byDirection.get(call.session.direction) ?? 0) + 1);
        return byDirection;
      },
      sip: () => {
        const server = parts.sipServer();
        return server && { stats: server.stats(), counters: server.counters() };
      },
      endpoints: () => parts.endpoints(),
      rtp: () => embeddedMedia()?.rtpTotals(),
      clock: () => embeddedMedia()?.clock.stats,
      registrar: () => parts.registrar()?.stats(),
    },
    {
      sip: () => (parts.sipConnected() ? { ready: true } : { ready: false, reason: 'not connected to the SIP server' }),
      media: () => {
        const media = parts.media();
        if (!media) return { ready: false, reason: 'no media server' };
        if (media instanceof FreeSwitchMediaServer && media.available === 0) return { ready: false, reason: 'no FreeSWITCH server connected' };
        return { ready: true };
      },
      // A Redis store answers a PING (after the writes before it); the embedded one always does.
      store: async () => {
        await parts.state.flush();
        return { ready: true };
      },
    },
  );
}
