import type { Logger } from 'pino';
import type { ConferenceRecordStore } from '../store/types.js';

/**
 * Conferences the store still shows live although their engine no longer
 * holds them (it was restarted, killed, or lost): each is marked completed
 * now, so that the REST API does not list a conference nobody can join.
 * (Twilio has no ReasonConferenceEnded for this; it is left empty.)
 */
export async function endLostConferences(store: ConferenceRecordStore, engineId: string | undefined, why: string, log: Logger): Promise<number> {
  const lost = await store.unfinished(engineId);
  const now = new Date();
  for (const c of lost) {
    store.put({ ...c, status: 'completed', dateUpdated: now });
    log.warn({ conferenceSid: c.sid, engineId: c.engineId, reason: why }, 'conference ended in the store: its engine no longer holds it');
  }
  return lost.length;
}
