import type { CallProgressEvent } from '../events/engine-events.js';
import type { EventStream } from '../events/event-stream.js';
import type { StatusCallbackSender } from './status-callback.js';

/**
 * Status callbacks as a subscriber of the event stream: each call progress
 * event (initiated, ringing, answered, completed) goes to the call's
 * statusCallback when it asked for that event, with Twilio's parameters.
 * The sender queues them per call, in order, numbered by SequenceNumber.
 */
export function sendStatusCallbacks(stream: EventStream, sender: StatusCallbackSender, authTokenOf: (accountSid: string) => string | undefined): () => void {
  return stream.subscribe((event) => {
    if (!event.type.startsWith('call.')) return;
    statusCallback(event as CallProgressEvent, sender, authTokenOf);
  });
}

function statusCallback(event: CallProgressEvent, sender: StatusCallbackSender, authTokenOf: (accountSid: string) => string | undefined): void {
  const name = event.type.slice('call.'.length);
  const { statusCallback: url, statusCallbackMethod: method, statusCallbackEvents: wanted } = event.callbacks;
  const last = name === 'completed';
  if (url === undefined || !(wanted as readonly string[]).includes(name)) {
    // The call's sequence numbering is forgotten at its end, whether or not completed is sent.
    if (last) sender.end(event.callSid);
    return;
  }
  // CallStatus names the event for the first two; then the call's own state.
  const status = name === 'initiated' || name === 'ringing' ? name : event.call.status;
  const params: Record<string, string> = { ...event.params, CallStatus: status, CallbackSource: 'call-progress-events', ...event.extra };
  if (last) {
    const seconds = event.call.durationSeconds ?? 0;
    params.CallDuration = String(seconds);
    params.Duration = String(Math.ceil(seconds / 60));
  }
  sender.send(
    event.callSid,
    { url, method, params, authToken: authTokenOf(event.accountSid), ...(event.applicationId !== undefined ? { applicationId: event.applicationId } : {}) },
    { last, ...(event.callbacksBefore !== undefined ? { firstSequence: event.callbacksBefore } : {}) },
  );
}
