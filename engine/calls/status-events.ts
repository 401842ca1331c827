import type { Account } from '../../config/engine-config.js';
import type { HttpMethod } from '../../instructions/attributes.js';
import type { StatusCallbackSender } from '../webhooks/status-callback.js';
import type { CallSession } from './call-session.js';

export type StatusEvent = 'initiated' | 'ringing' | 'answered' | 'completed';

/** Where a call's status callbacks go (an application's, a REST-created call's, a Dial noun's). */
export interface StatusCallbackSettings {
  readonly statusCallback?: string;
  readonly statusCallbackMethod: HttpMethod;
  readonly statusCallbackEvents: readonly StatusEvent[];
}

/**
 * Sends a call's status callbacks (initiated, ringing, answered, completed)
 * to the application's statusCallback, for the events it asked for. Never
 * waits: the sender queues them in order per call.
 */
export class StatusEvents {
  constructor(
    private readonly sender: StatusCallbackSender,
    /** Where this call's callbacks go. */
    readonly settings: StatusCallbackSettings,
    private readonly account: Pick<Account, 'authToken'>,
  ) {}

  wants(event: StatusEvent): boolean {
    return this.settings.statusCallback !== undefined && this.settings.statusCallbackEvents.includes(event);
  }

  send(event: StatusEvent, call: CallSession, extra: Readonly<Record<string, string>> = {}): void {
    const url = this.settings.statusCallback;
    if (url === undefined || !this.wants(event)) {
      // The call's sequence numbering is forgotten at its end, whether or not completed is sent.
      if (event === 'completed') this.sender.end(call.sid);
      return;
    }
    const base = call.webhookParams();
    // CallStatus names the event for the first two; then the call's own state.
    const status = event === 'initiated' ? 'initiated' : event === 'ringing' ? 'ringing' : base.CallStatus;
    const params: Record<string, string> = { ...base, CallStatus: status ?? call.status, CallbackSource: 'call-progress-events', ...extra };
    if (event === 'completed') {
      params.CallDuration = String(call.durationSeconds);
      params.Duration = String(Math.ceil(call.durationSeconds / 60));
    }
    this.sender.send(
      call.sid,
      { url, method: this.settings.statusCallbackMethod, params, authToken: this.account.authToken },
      { last: event === 'completed' },
    );
  }
}
