import type { ConferenceRecord } from '../conferences/conference-record.js';
import type { ParticipantSnapshot } from '../conferences/participant.js';
import { API_VERSION, conferencesPath } from './api-paths.js';
import { toRfc2822 } from './rfc2822.js';

/** A conference as Twilio's API writes it (Conference resource, 2010-04-01). */
export interface ConferenceJson {
  sid: string;
  account_sid: string;
  friendly_name: string;
  status: ConferenceRecord['status'];
  region: string;
  date_created: string | null;
  date_updated: string | null;
  reason_conference_ended: string | null;
  call_sid_ending_conference: string | null;
  api_version: typeof API_VERSION;
  uri: string;
  subresource_uris: { participants: string; recordings: string };
}

export function conferenceJson(c: ConferenceRecord): ConferenceJson {
  const base = `${conferencesPath(c.accountSid)}/${encodeURIComponent(c.sid)}`;
  return {
    sid: c.sid,
    account_sid: c.accountSid,
    friendly_name: c.friendlyName,
    status: c.status,
    region: c.region,
    date_created: toRfc2822(c.dateCreated),
    date_updated: toRfc2822(c.dateUpdated),
    reason_conference_ended: c.reasonConferenceEnded ?? null,
    call_sid_ending_conference: c.callSidEndingConference ?? null,
    api_version: API_VERSION,
    uri: `${base}.json`,
    subresource_uris: { participants: `${base}/Participants.json`, recordings: `${base}/Recordings.json` },
  };
}

/** A participant as Twilio's API writes it (Participant resource). */
export interface ParticipantJson {
  account_sid: string;
  call_sid: string;
  conference_sid: string | null;
  label: string | null;
  call_sid_to_coach: string | null;
  coaching: boolean;
  muted: boolean;
  hold: boolean;
  start_conference_on_enter: boolean;
  end_conference_on_exit: boolean;
  status: ParticipantSnapshot['status'];
  queue_time: string | null;
  date_created: string | null;
  date_updated: string | null;
  uri: string;
}

export function participantJson(p: ParticipantSnapshot, conferenceSidInPath: string): ParticipantJson {
  return {
    account_sid: p.accountSid,
    call_sid: p.callSid,
    conference_sid: p.conferenceSid === '' ? null : p.conferenceSid,
    label: p.label ?? null,
    call_sid_to_coach: p.callSidToCoach ?? null,
    coaching: p.coaching,
    muted: p.muted,
    hold: p.hold,
    start_conference_on_enter: p.startConferenceOnEnter,
    end_conference_on_exit: p.endConferenceOnExit,
    status: p.status,
    queue_time: null,
    date_created: toRfc2822(p.dateCreated),
    date_updated: toRfc2822(p.dateUpdated),
    uri: `${conferencesPath(p.accountSid)}/${encodeURIComponent(conferenceSidInPath)}/Participants/${encodeURIComponent(p.callSid)}.json`,
  };
}
