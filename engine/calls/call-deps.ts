import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { Account } from '../../config/engine-config.js';
import type { Trunk } from '../../config/trunks.js';
import type { MediaServer } from '../../media/types.js';
import type { Registrar } from '../registrar/registrar.js';
import type { SignalingEvents } from '../signaling-events/call-signaling.js';
import type { WebhookClient } from '../webhooks/webhook-client.js';
import type { StatusCallbackSender } from '../webhooks/status-callback.js';
import type { EventStream } from '../events/event-stream.js';
import type { CallStore } from './call-store.js';
import type { LiveCalls } from './live-calls.js';
import type { ConferenceJoiner, LegPlacer, QueueKeeper, RecordingSink } from './sip-call-base.js';

/** What the engine's calls (inbound, REST-created, Dial legs) share. */
export interface CallDeps {
  srf: Srf;
  media: MediaServer;
  webhooks: WebhookClient;
  statusSender: StatusCallbackSender;
  /** The engine's domain events (engine/events/): call progress, webhooks, verbs, recordings. */
  events: EventStream;
  store: CallStore;
  recordings: RecordingSink;
  live: LiveCalls;
  accounts: readonly Account[];
  trunks: readonly Trunk[];
  dialer: LegPlacer;
  /** Where <Dial><Conference> puts calls (engine/conferences/). */
  conferences: ConferenceJoiner;
  /** Where <Enqueue> and <Dial><Queue> find their queues (engine/queues/). */
  queues: QueueKeeper;
  /** SIP users and their registered contacts. */
  registrar: Registrar;
  /** Signaling-event callbacks (engine/signaling-events/); none when absent. */
  signaling?: SignalingEvents;
  log: Logger;
}
