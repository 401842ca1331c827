import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConferenceAnswer, ConferenceApi, ConferenceRequest } from '../conferences/conference-api.js';
import { ApiError, type CallService } from './call-service.js';
import { badParameter, ErrorCode, notFound } from './api-errors.js';
import { conferencesPath } from './api-paths.js';
import { conferenceJson, participantJson } from './conference-json.js';
import { CONFERENCE_FILTER_PARAMS, parseConferenceFilter, parseConferenceUpdate, parseCreateParticipant, parseParticipantUpdate } from './conference-params.js';
import { pageMeta, parsePaging, type PageKey } from './paging.js';
import { toParams } from './request-params.js';
import type { ConferenceRecord } from '../conferences/conference-record.js';

type AccountRequest = FastifyRequest<{ Params: { AccountSid: string } }>;
type ConferencePathRequest = FastifyRequest<{ Params: { AccountSid: string; ConferenceSid: string } }>;
type ParticipantRequest = FastifyRequest<{ Params: { AccountSid: string; ConferenceSid: string; Participant: string } }>;

const conferenceKey = (c: ConferenceRecord): PageKey => ({ time: c.dateCreated.getTime(), sid: c.sid });

/**
 * The Conferences resource (list, fetch, update: end or announce) and its
 * Participants (create: an outbound call into the conference; list, fetch
 * by CallSid or label, update, delete), on Twilio's paths.
 */
export function registerConferenceRoutes(app: FastifyInstance, conferences: ConferenceApi, calls: CallService): void {
  const base = '/2010-04-01/Accounts/:AccountSid/Conferences';
  const path = (account: string, sid?: string): string => `${conferencesPath(account)}${sid === undefined ? '' : `/${encodeURIComponent(sid)}`}`;

  /** A request about a live conference, wherever its room is; 404 when it (or the participant) is not live, 400 for an update it refuses. */
  async function ask(req: ConferenceRequest, what: string): Promise<ConferenceAnswer> {
    const answer = await conferences.run(req);
    if (answer.invalid !== undefined) throw badParameter(answer.invalid);
    if (answer.missing) throw notFound(what);
    return answer;
  }

  app.get(base + '.json', async (req: AccountRequest) => {
    const { AccountSid } = req.params;
    const params = toParams(req.query);
    const paging = parsePaging(params);
    const page = await conferences.list(AccountSid, parseConferenceFilter(params), paging);
    const meta = pageMeta(`${path(AccountSid)}.json`, params, CONFERENCE_FILTER_PARAMS, paging, page, conferenceKey);
    return { conferences: page.items.map(conferenceJson), ...meta };
  });

  app.get(base + '/:ConferenceSid.json', async (req: ConferencePathRequest) => {
    const { AccountSid, ConferenceSid } = req.params;
    const conf = await conferences.get(AccountSid, ConferenceSid);
    if (!conf) throw notFound(`${path(AccountSid, ConferenceSid)}.json`);
    return conferenceJson(conf);
  });

  app.post(base + '/:ConferenceSid.json', async (req: ConferencePathRequest) => {
    const { AccountSid, ConferenceSid } = req.params;
    const update = parseConferenceUpdate(toParams(req.body));
    const record = await conferences.get(AccountSid, ConferenceSid);
    if (!record) throw notFound(`${path(AccountSid, ConferenceSid)}.json`);
    if (record.status !== 'completed') {
      const answer = await conferences.run({ op: 'update-conference', accountSid: AccountSid, conferenceSid: ConferenceSid, ...update });
      if (answer.conference) return conferenceJson(answer.conference);
    }
    if (update.announce) throw new ApiError(400, ErrorCode.InvalidParameter, 'The conference has ended: nothing can be announced in it');
    return conferenceJson((await conferences.get(AccountSid, ConferenceSid)) ?? record);
  });

  app.get(base + '/:ConferenceSid/Participants.json', async (req: ConferencePathRequest) => {
    const { AccountSid, ConferenceSid } = req.params;
    const params = toParams(req.query);
    const record = await conferences.get(AccountSid, ConferenceSid);
    if (!record) throw notFound(`${path(AccountSid, ConferenceSid)}/Participants.json`);
    // An ended conference has no participants (Twilio lists only live ones).
    const answer = record.status === 'completed' ? {} : await conferences.run({ op: 'participants', accountSid: AccountSid, conferenceSid: ConferenceSid });
    let items = answer.participants ?? [];
    for (const [name, key] of [['Muted', 'muted'], ['Hold', 'hold'], ['Coaching', 'coaching']] as const) {
      const v = params[name];
      if (typeof v !== 'string' || v === '') continue;
      if (v !== 'true' && v !== 'false') throw badParameter(`${name} must be true or false`);
      items = items.filter((p) => p[key] === (v === 'true'));
    }
    const paging = parsePaging(params);
    const start = paging.page * paging.pageSize;
    const shown = items.slice(start, start + paging.pageSize);
    const uri = `${path(AccountSid, ConferenceSid)}/Participants.json`;
    const pageUri = (n: number): string => `${uri}?PageSize=${paging.pageSize}&Page=${n}`;
    return {
      participants: shown.map((p) => participantJson(p, ConferenceSid)),
      page: paging.page,
      page_size: paging.pageSize,
      start,
      end: start + Math.max(0, shown.length - 1),
      uri: pageUri(paging.page),
      first_page_uri: pageUri(0),
      next_page_uri: start + paging.pageSize < items.length ? pageUri(paging.page + 1) : null,
      previous_page_uri: paging.page > 0 ? pageUri(paging.page - 1) : null,
    };
  });

  app.post(base + '/:ConferenceSid/Participants.json', async (req: ConferencePathRequest, reply: FastifyReply) => {
    const { AccountSid, ConferenceSid } = req.params;
    // The path names the conference by its sid, or (as Twilio allows) by its friendly name.
    const known = /^CF[0-9a-f]{32}$/.test(ConferenceSid) ? await conferences.get(AccountSid, ConferenceSid) : undefined;
    if (/^CF[0-9a-f]{32}$/.test(ConferenceSid) && (!known || known.status === 'completed')) throw notFound(`${path(AccountSid, ConferenceSid)}.json`);
    const name = known?.friendlyName ?? ConferenceSid;
    const call = await calls.create(parseCreateParticipant(AccountSid, name, toParams(req.body)));
    const now = new Date();
    const params = toParams(req.body);
    const flag = (n: string): boolean => String(params[n] ?? '').toLowerCase() === 'true';
    const label = typeof params.Label === 'string' && params.Label !== '' ? params.Label : undefined;
    const coach = typeof params.CallSidToCoach === 'string' && flag('Coaching') ? params.CallSidToCoach : undefined;
    return reply.code(201).send(
      participantJson(
        {
          callSid: call.sid,
          accountSid: AccountSid,
          conferenceSid: known?.sid ?? '',
          ...(label !== undefined ? { label } : {}),
          muted: flag('Muted'),
          hold: false,
          coaching: coach !== undefined,
          ...(coach !== undefined ? { callSidToCoach: coach } : {}),
          startConferenceOnEnter: params.StartConferenceOnEnter === undefined || flag('StartConferenceOnEnter'),
          endConferenceOnExit: flag('EndConferenceOnExit'),
          status: 'queued',
          dateCreated: now,
          dateUpdated: now,
        },
        ConferenceSid,
      ),
    );
  });

  app.get(base + '/:ConferenceSid/Participants/:Participant.json', async (req: ParticipantRequest) => {
    const { AccountSid, ConferenceSid, Participant } = req.params;
    const what = `${path(AccountSid, ConferenceSid)}/Participants/${Participant}.json`;
    const answer = await ask({ op: 'participant', accountSid: AccountSid, conferenceSid: ConferenceSid, who: Participant }, what);
    return participantJson(answer.participant!, ConferenceSid);
  });

  app.post(base + '/:ConferenceSid/Participants/:Participant.json', async (req: ParticipantRequest) => {
    const { AccountSid, ConferenceSid, Participant } = req.params;
    const changes = parseParticipantUpdate(toParams(req.body));
    const what = `${path(AccountSid, ConferenceSid)}/Participants/${Participant}.json`;
    const answer = await ask({ op: 'update-participant', accountSid: AccountSid, conferenceSid: ConferenceSid, who: Participant, changes }, what);
    return participantJson(answer.participant!, ConferenceSid);
  });

  app.delete(base + '/:ConferenceSid/Participants/:Participant.json', async (req: ParticipantRequest, reply: FastifyReply) => {
    const { AccountSid, ConferenceSid, Participant } = req.params;
    const what = `${path(AccountSid, ConferenceSid)}/Participants/${Participant}.json`;
    await ask({ op: 'remove-participant', accountSid: AccountSid, conferenceSid: ConferenceSid, who: Participant }, what);
    return reply.code(204).send();
  });
}
