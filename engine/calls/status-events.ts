import type { HttpMethod } from '../../instructions/attributes.js';
import type { EventStream } from '../events/event-stream.js';
import type { CallSession } from './call-session.js';

export type StatusEvent = 'initiated' | 'ringing' | 'answered' | 'completed';

/** Where a call's status callbacks go (an application's, a REST-created call's, a Dial noun's). */
export interface StatusCallbackSettings {
  readonly statusCallback?: string;
  readonly statusCallbackMethod: HttpMethod;
  readonly statusCallbackEvents: readonly StatusEvent[];
}

/**
 * A call's progress (initiated, ringing, answered, completed) published on
 * the engine's event stream, with where the call's status callbacks go;
 * the status callbacks are one subscriber of it
 * (engine/webhooks/status-callback-subscriber.ts). Never waits.
 */
export class StatusEvents {
  constructor(
    private readonly stream: EventStream,
    /** Where this call's callbacks go (a program may change it while the call runs: `retarget`). */
    private current: StatusCallbackSettings,
  ) {}

  get settings(): StatusCallbackSettings {
    return this.current;
  }

  /** The callbacks from now on go to the URL or use the method given (the events asked for stay). */
  retarget(change: { statusCallback?: string; statusCallbackMethod?: HttpMethod }): void {
    this.current = { ...this.current, ...change };
  }

  send(event: StatusEvent, call: CallSession, extra: Readonly<Record<string, string>> = {}): void {
    this.stream.publish({
      type: `call.${event}`,
      at: new Date(),
      accountSid: call.accountSid,
      applicationId: call.applicationId,
      callSid: call.sid,
      call: call.toRecord(),
      params: call.webhookParams(),
      extra,
      callbacks: this.settings,
    });
  }
}
