import type { EventStream } from '../events/event-stream.js';
import type { CallSession } from './call-session.js';

/** For runInstructions' onVerb: each verb of the call's documents is published as verb.started. */
export function publishVerbs(events: EventStream, call: CallSession): (verb: string, documentUrl: string) => void {
  return (verb, documentUrl) =>
    events.publish({ type: 'verb.started', at: new Date(), accountSid: call.accountSid, applicationId: call.applicationId, callSid: call.sid, verb, documentUrl });
}
