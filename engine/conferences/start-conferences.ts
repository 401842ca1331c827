import type { Logger } from 'pino';
import type { MediaServer } from '../../media/types.js';
import { ConferenceLinks } from '../cluster/conference-links.js';
import type { EventStream } from '../events/event-stream.js';
import type { StateStore } from '../store/types.js';
import type { WebhookClient } from '../webhooks/webhook-client.js';
import { ConferenceApi } from './conference-api.js';
import type { RecordingPlace } from './conference-recorder.js';
import { ConferenceService } from './conference-service.js';

export interface Conferences {
  service: ConferenceService;
  api: ConferenceApi;
  /** Present when engines share a store: joins and REST requests across them. */
  links?: ConferenceLinks;
}

/**
 * The engine's conferences: the service calls join, the API the REST
 * routes use and, on a shared store (Redis), the links that let calls and
 * requests of any engine reach a conference held by another.
 */
export async function startConferences(o: {
  state: StateStore;
  media: MediaServer;
  events: EventStream;
  webhooks: WebhookClient;
  engineId: string;
  holdMusicUrl: string;
  recordings: RecordingPlace;
  authTokenOf: (accountSid: string) => string | undefined;
  leaseMs: number;
  log: Logger;
}): Promise<Conferences> {
  const shared = o.state.kind === 'redis';
  const service = new ConferenceService({
    media: o.media,
    store: o.state.conferences,
    events: o.events,
    webhooks: o.webhooks,
    engineId: o.engineId,
    holdMusicUrl: o.holdMusicUrl,
    recordings: o.recordings,
    authTokenOf: o.authTokenOf,
    // Engines that share a store lease each conference name to the one that holds its room.
    ...(shared ? { leases: o.state.leases } : {}),
    leaseMs: o.leaseMs,
    log: o.log.child({ component: 'conferences' }),
  });
  const api = new ConferenceApi(service, o.engineId);
  if (!shared) return { service, api };
  const links = new ConferenceLinks({
    bus: o.state.bus,
    engineId: o.engineId,
    media: o.media,
    webhooks: o.webhooks,
    authTokenOf: o.authTokenOf,
    service,
    api,
    leases: o.state.leases,
    leaseMs: o.leaseMs,
    log: o.log.child({ component: 'cluster' }),
  });
  await links.start();
  service.remote = links;
  api.link = links;
  return { service, api, links };
}
