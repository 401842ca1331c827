import type { PromptSource } from '../../instructions/runtime/prompt-source.js';
import type { Page, PageRequest } from '../api/paging.js';
import type { ConferenceFilter, ConferenceRecord } from './conference-record.js';
import type { ConferenceService } from './conference-service.js';
import { ParticipantUpdateError, type ParticipantChanges } from './participant-changes.js';
import type { ParticipantSnapshot } from './participant.js';

/** What the REST API asks of a live conference; the engine that holds its room answers. */
export type ConferenceRequest = { accountSid: string; conferenceSid: string } & (
  | { op: 'participants' }
  | { op: 'participant'; who: string }
  | { op: 'update-participant'; who: string; changes: ParticipantChanges }
  | { op: 'remove-participant'; who: string }
  | { op: 'update-conference'; end: boolean; announce?: PromptSource }
);

/** The answer: `missing` when the conference (or participant) is not live there. */
export interface ConferenceAnswer {
  missing?: true;
  /** A participant update that cannot be applied (400). */
  invalid?: string;
  participants?: ParticipantSnapshot[];
  participant?: ParticipantSnapshot;
  conference?: ConferenceRecord;
}

/** Carries a request to the engine that holds a conference (engine/cluster/conference-links.ts). */
export interface ConferenceOwnerLink {
  ask(owner: string, req: ConferenceRequest): Promise<ConferenceAnswer>;
}

/**
 * The Conferences and Participants resources as the REST API sees them,
 * on any engine: records come from the store; what concerns a live
 * conference is done by the engine that holds its room, here or over the
 * link to it.
 */
export class ConferenceApi {
  link: ConferenceOwnerLink | undefined;

  constructor(
    private readonly service: ConferenceService,
    private readonly engineId: string,
  ) {}

  get(accountSid: string, conferenceSid: string): Promise<ConferenceRecord | undefined> {
    return this.service.get(accountSid, conferenceSid);
  }

  list(accountSid: string, filter: ConferenceFilter, page: PageRequest): Promise<Page<ConferenceRecord>> {
    return this.service.list(accountSid, filter, page);
  }

  /** Runs a request here when the conference is live here, else at its owner. */
  async run(req: ConferenceRequest): Promise<ConferenceAnswer> {
    if (this.service.live(req.accountSid, req.conferenceSid)) return this.runHere(req);
    const record = await this.service.get(req.accountSid, req.conferenceSid);
    if (record && record.status !== 'completed' && record.engineId !== this.engineId && this.link) return revive(await this.link.ask(record.engineId, req));
    return { missing: true };
  }

  /** Runs a request on a conference of this engine (also for other engines' requests). */
  runHere(req: ConferenceRequest): ConferenceAnswer {
    const conf = this.service.live(req.accountSid, req.conferenceSid);
    if (!conf) return { missing: true };
    switch (req.op) {
      case 'participants':
        return { participants: this.service.participants(conf) };
      case 'update-conference':
        if (req.announce) this.service.announce(conf, req.announce);
        if (req.end) this.service.end(conf);
        return { conference: { ...conf.record } };
      default: {
        const p = this.service.participant(conf, req.who);
        if (!p) return { missing: true };
        if (req.op === 'participant') return { participant: p.snapshot() };
        if (req.op === 'remove-participant') {
          this.service.remove(p);
          return { participant: p.snapshot('complete') };
        }
        try {
          return { participant: this.service.update(conf, p, req.changes) };
        } catch (err) {
          if (err instanceof ParticipantUpdateError) return { invalid: err.message };
          throw err;
        }
      }
    }
  }
}

/** Dates come over the bus as strings. */
function revive(answer: ConferenceAnswer): ConferenceAnswer {
  const dates = <T extends { dateCreated: Date | string; dateUpdated: Date | string }>(x: T): T => ({ ...x, dateCreated: new Date(x.dateCreated), dateUpdated: new Date(x.dateUpdated) });
  return {
    ...answer,
    ...(answer.participants ? { participants: answer.participants.map(dates) } : {}),
    ...(answer.participant ? { participant: dates(answer.participant) } : {}),
    ...(answer.conference ? { conference: dates(answer.conference) } : {}),
  };
}
