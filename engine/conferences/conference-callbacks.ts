import type { ConferenceEventGroup } from '../../instructions/verbs/dial-nouns.js';
import type { ConferenceEventName, ConferenceStatusEvent } from '../events/engine-events.js';
import type { EventStream } from '../events/event-stream.js';
import type { StatusCallbackSender } from '../webhooks/status-callback.js';

/** Which statusCallbackEvent value asks for each event. */
const GROUP: Record<ConferenceEventName, ConferenceEventGroup> = {
  'conference-start': 'start',
  'conference-end': 'end',
  'participant-join': 'join',
  'participant-leave': 'leave',
  'participant-mute': 'mute',
  'participant-unmute': 'mute',
  'participant-hold': 'hold',
  'participant-unhold': 'hold',
  'participant-modify': 'modify',
  'participant-speech-start': 'speaker',
  'participant-speech-stop': 'speaker',
  'announcement-end': 'announcement',
  'announcement-failed': 'announcement',
};

/** Twilio's parameters of one conference status callback (Timestamp and SequenceNumber are added by the sender). */
export function conferenceCallbackParams(event: ConferenceStatusEvent): Record<string, string> {
  const c = event.conference;
  const params: Record<string, string> = {
    AccountSid: c.accountSid,
    ConferenceSid: c.sid,
    FriendlyName: c.friendlyName,
    StatusCallbackEvent: event.name,
  };
  const p = event.participant;
  if (p) {
    params.CallSid = p.callSid;
    params.Muted = String(p.muted);
    params.Hold = String(p.hold);
    params.Coaching = String(p.coaching);
    params.EndConferenceOnExit = String(p.endConferenceOnExit);
    params.StartConferenceOnEnter = String(p.startConferenceOnEnter);
    if (p.callSidToCoach !== undefined) params.CallSidToCoach = p.callSidToCoach;
    if (p.label !== undefined) params.ParticipantLabel = p.label;
  }
  if (event.name === 'conference-end') {
    if (c.reasonConferenceEnded !== undefined) params.ReasonConferenceEnded = c.reasonConferenceEnded;
    if (c.callSidEndingConference !== undefined) params.CallSidEndingConference = c.callSidEndingConference;
  }
  return params;
}

/**
 * Conference status callbacks as a subscriber of the event stream: each
 * event goes to the conference's statusCallback when its group is in
 * statusCallbackEvent. One conference's callbacks go out in order,
 * numbered by SequenceNumber from 0.
 */
export function sendConferenceCallbacks(stream: EventStream, sender: StatusCallbackSender, authTokenOf: (accountSid: string) => string | undefined): () => void {
  return stream.subscribe((event) => {
    if (event.type !== 'conference.status') return;
    const key = `conference:${event.conference.sid}`;
    const last = event.name === 'conference-end';
    const cb = event.callbacks;
    if (!cb || !cb.events.includes(GROUP[event.name])) {
      if (last) sender.end(key);
      return;
    }
    sender.send(key, { url: cb.url, method: cb.method, params: conferenceCallbackParams(event), authToken: authTokenOf(event.accountSid) }, { last });
  });
}
