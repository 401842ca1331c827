import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { QueueRefusal, type QueueApi, type QueueView } from '../queues/queue-api.js';
import { badParameter, notFound } from './api-errors.js';
import { queuesPath } from './api-paths.js';
import { refuseOtherMethods } from './method-not-allowed.js';
import { pageMeta, parsePaging, type PageKey, type PageMeta, type PageRequest } from './paging.js';
import { memberJson, queueJson } from './queue-json.js';
import { parseCreateQueue, parseMemberUpdate, parseQueueUpdate } from './queue-params.js';
import { toParams } from './request-params.js';

type AccountRequest = FastifyRequest<{ Params: { AccountSid: string } }>;
type QueueRequest = FastifyRequest<{ Params: { AccountSid: string; QueueSid: string } }>;
type MemberRequest = FastifyRequest<{ Params: { AccountSid: string; QueueSid: string; Member: string } }>;

const queueKey = (q: QueueView): PageKey => ({ time: q.dateCreated.getTime(), sid: q.sid });

/** A refusal of the queue's as a 400; anything else goes on. */
async function refusing<T>(op: Promise<T>): Promise<T> {
  try {
    return await op;
  } catch (err) {
    if (err instanceof QueueRefusal) throw badParameter(err.message);
    throw err;
  }
}

/** The paging fields of a live list cut by number (members come and go: no PageToken). */
function numberedPage(uri: string, paging: PageRequest, total: number, shown: number): PageMeta {
  const start = paging.page * paging.pageSize;
  const pageUri = (n: number): string => `${uri}?PageSize=${paging.pageSize}&Page=${n}`;
  return {
    first_page_uri: pageUri(0),
    next_page_uri: start + paging.pageSize < total ? pageUri(paging.page + 1) : null,
    previous_page_uri: paging.page > 0 ? pageUri(paging.page - 1) : null,
    page: paging.page,
    page_size: paging.pageSize,
    start,
    end: start + Math.max(0, shown - 1),
    uri: pageUri(paging.page),
  };
}

/**
 * The Queues resource (create, list, fetch, update, delete) and its
 * Members (list, fetch by CallSid or `Front`, update with Url: dequeue to a
 * document), on Twilio's paths.
 */
export function registerQueueRoutes(app: FastifyInstance, queues: QueueApi): void {
  const base = '/2010-04-01/Accounts/:AccountSid/Queues';
  const path = (account: string, sid?: string): string => `${queuesPath(account)}${sid === undefined ? '' : `/${encodeURIComponent(sid)}`}`;

  app.post(base + '.json', async (req: AccountRequest, reply: FastifyReply) => {
    const { AccountSid } = req.params;
    const { friendlyName, maxSize } = parseCreateQueue(toParams(req.body));
    const queue = await refusing(queues.create(AccountSid, friendlyName, maxSize));
    return reply.code(201).send(queueJson(queue));
  });

  app.get(base + '.json', async (req: AccountRequest) => {
    const { AccountSid } = req.params;
    const params = toParams(req.query);
    const paging = parsePaging(params);
    const page = await queues.list(AccountSid, paging);
    return { queues: page.items.map(queueJson), ...pageMeta(`${path(AccountSid)}.json`, params, [], paging, page, queueKey) };
  });

  app.get(base + '/:QueueSid.json', async (req: QueueRequest) => {
    const { AccountSid, QueueSid } = req.params;
    const queue = await queues.get(AccountSid, QueueSid);
    if (!queue) throw notFound(`${path(AccountSid, QueueSid)}.json`);
    return queueJson(queue);
  });

  app.post(base + '/:QueueSid.json', async (req: QueueRequest) => {
    const { AccountSid, QueueSid } = req.params;
    const changes = parseQueueUpdate(toParams(req.body));
    const queue = await refusing(queues.update(AccountSid, QueueSid, changes));
    if (!queue) throw notFound(`${path(AccountSid, QueueSid)}.json`);
    return queueJson(queue);
  });

  app.delete(base + '/:QueueSid.json', async (req: QueueRequest, reply: FastifyReply) => {
    const { AccountSid, QueueSid } = req.params;
    if (!(await refusing(queues.delete(AccountSid, QueueSid)))) throw notFound(`${path(AccountSid, QueueSid)}.json`);
    return reply.code(204).send();
  });

  app.get(base + '/:QueueSid/Members.json', async (req: QueueRequest) => {
    const { AccountSid, QueueSid } = req.params;
    const paging = parsePaging(toParams(req.query));
    const uri = `${path(AccountSid, QueueSid)}/Members.json`;
    const members = await queues.members(AccountSid, QueueSid);
    if (!members) throw notFound(uri);
    const start = paging.page * paging.pageSize;
    const shown = members.slice(start, start + paging.pageSize);
    return { queue_members: shown.map(memberJson), ...numberedPage(uri, paging, members.length, shown.length) };
  });

  app.get(base + '/:QueueSid/Members/:Member.json', async (req: MemberRequest) => {
    const { AccountSid, QueueSid, Member } = req.params;
    const member = await queues.member(AccountSid, QueueSid, Member);
    if (!member) throw notFound(`${path(AccountSid, QueueSid)}/Members/${Member}.json`);
    return memberJson(member);
  });

  app.post(base + '/:QueueSid/Members/:Member.json', async (req: MemberRequest) => {
    const { AccountSid, QueueSid, Member } = req.params;
    const to = parseMemberUpdate(toParams(req.body));
    const member = await queues.dequeueMember(AccountSid, QueueSid, Member, to);
    if (!member) throw notFound(`${path(AccountSid, QueueSid)}/Members/${Member}.json`);
    return memberJson(member);
  });

  refuseOtherMethods(app, base + '.json', ['GET', 'POST']);
  refuseOtherMethods(app, base + '/:QueueSid.json', ['GET', 'POST', 'DELETE']);
  refuseOtherMethods(app, base + '/:QueueSid/Members.json', ['GET']);
  refuseOtherMethods(app, base + '/:QueueSid/Members/:Member.json', ['GET', 'POST']);
}
