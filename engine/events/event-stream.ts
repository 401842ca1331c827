import type { Logger } from 'pino';
import type { EngineEvent } from './engine-events.js';

export type EventHandler = (event: EngineEvent) => void;

/**
 * The one stream of the engine's domain events. publish() hands the event
 * to every subscriber at once, in the order they subscribed, and returns:
 * a subscriber does its own slow work (an HTTP request) without holding up
 * the call. A subscriber that throws is logged and the others still get
 * the event.
 */
export class EventStream {
  private readonly handlers: EventHandler[] = [];

  constructor(private readonly log?: Logger) {}

  publish(event: EngineEvent): void {
    for (const handler of this.handlers) {
      try {
        handler(event);
      } catch (err) {
        this.log?.error({ event: event.type, callSid: event.callSid, err }, 'an event subscriber failed');
      }
    }
  }

  /** Adds a subscriber; the function returned removes it. */
  subscribe(handler: EventHandler): () => void {
    this.handlers.push(handler);
    return () => {
      const i = this.handlers.indexOf(handler);
      if (i >= 0) this.handlers.splice(i, 1);
    };
  }
}
