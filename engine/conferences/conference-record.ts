/** A conference as the REST API shows it and the stores keep it (Twilio's Conference resource). */

export type ConferenceStatus = 'init' | 'in-progress' | 'completed';

/** Twilio's ReasonConferenceEnded values. */
export type ConferenceEndReason =
  | 'conference-ended-via-api'
  | 'participant-with-end-conference-on-exit-left'
  | 'participant-with-end-conference-on-exit-kicked'
  | 'last-participant-left'
  | 'last-participant-kicked';

export interface ConferenceRecord {
  /** CF + 32 hex digits. */
  sid: string;
  accountSid: string;
  friendlyName: string;
  status: ConferenceStatus;
  dateCreated: Date;
  dateUpdated: Date;
  /** Accepted from the document and shown as given; dialtone runs every conference where its media is. */
  region: string;
  reasonConferenceEnded?: ConferenceEndReason;
  callSidEndingConference?: string;
  /** The engine whose media server holds the room. */
  engineId: string;
}

/** The Conferences list's filters (Status, FriendlyName, DateCreated and DateUpdated windows). */
export interface ConferenceFilter {
  status?: ConferenceStatus;
  friendlyName?: string;
  createdAfter?: Date;
  createdBefore?: Date;
  updatedAfter?: Date;
  updatedBefore?: Date;
}

export function conferenceMatches(c: ConferenceRecord, accountSid: string, f: ConferenceFilter): boolean {
  if (c.accountSid !== accountSid) return false;
  if (f.status !== undefined && c.status !== f.status) return false;
  if (f.friendlyName !== undefined && c.friendlyName !== f.friendlyName) return false;
  const created = c.dateCreated.getTime();
  const updated = c.dateUpdated.getTime();
  if (f.createdAfter !== undefined && created < f.createdAfter.getTime()) return false;
  if (f.createdBefore !== undefined && created >= f.createdBefore.getTime()) return false;
  if (f.updatedAfter !== undefined && updated < f.updatedAfter.getTime()) return false;
  if (f.updatedBefore !== undefined && updated >= f.updatedBefore.getTime()) return false;
  return true;
}
