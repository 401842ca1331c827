import type { Logger } from 'pino';
import type { EngineConfig } from '../../config/engine-config.js';
import type { SignalingEventRule } from '../../config/signaling-events.js';
import type { WebhookTransport } from '../webhooks/http-transport.js';
import { SignalingEvents } from './call-signaling.js';
import { SignalingEventSender, type InstructionsHandler } from './event-sender.js';

export { SignalingEvents, type SignalingCall, type NamedRule, type SignalingEventsOptions, type SignalingReport } from './call-signaling.js';
export {
  SignalingEventSender,
  instructionsOf,
  type SignalingEvent,
  type InstructionsHandler,
  type SignalingEventSenderOptions,
  type DeliveryOutcome,
  type OutcomeListener,
} from './event-sender.js';
export { splitHeaderValues, referToUri, checkReferTo, type ReferToCheck } from './refer-to.js';
export { eventParams, sdpDirection, type EventCall } from './event-params.js';
export { matchesRule, matchesCompiled, compileMatch, type CompiledMatch } from './rule-matcher.js';
export { describeRequest, describeResponse, canonicalHeaderName, type SignalingMessage, type SignalingDirection, type SipMessageLike } from './signaling-message.js';

/** The engine's signaling events from its configuration: the rules, and a sender on the shared transport. */
export function createSignalingEvents(
  config: Pick<EngineConfig, 'applications' | 'accounts' | 'signalingEvents' | 'signalingEventDelivery'>,
  opts: { transport?: WebhookTransport; onInstructions?: InstructionsHandler; logger?: Logger },
): { events: SignalingEvents; sender: SignalingEventSender } {
  const sender = new SignalingEventSender({ delivery: config.signalingEventDelivery, transport: opts.transport, onInstructions: opts.onInstructions, logger: opts.logger });
  const byApplication = new Map<string, readonly SignalingEventRule[]>();
  for (const app of config.applications) if (app.signalingEvents?.length) byApplication.set(app.id, app.signalingEvents);
  const events = new SignalingEvents({ global: config.signalingEvents, byApplication, accounts: config.accounts, sender, logger: opts.logger });
  return { events, sender };
}
