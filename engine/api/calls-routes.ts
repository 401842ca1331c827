import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from './api-errors.js';
import { callsPath } from './api-paths.js';
import { callJson } from './call-json.js';
import { CALL_FILTER_PARAMS, parseCallFilter, parseCreateCall } from './call-params.js';
import { parseUpdateCall } from './call-update-params.js';
import type { CallRecord, CallService } from './call-service.js';
import { refuseOtherMethods } from './method-not-allowed.js';
import { pageMeta, parsePaging, type PageKey } from './paging.js';
import { toParams } from './request-params.js';

type AccountRequest = FastifyRequest<{ Params: { AccountSid: string } }>;
type CallRequest = FastifyRequest<{ Params: { AccountSid: string; CallSid: string } }>;

const callKey = (call: CallRecord): PageKey => ({ time: call.dateCreated.getTime(), sid: call.sid });

/** The Calls resource: create, list, fetch, update (callbacks, redirect or end), delete. */
export function registerCallRoutes(app: FastifyInstance, calls: CallService): void {
  const base = '/2010-04-01/Accounts/:AccountSid/Calls';

  app.post(base + '.json', async (req: AccountRequest, reply: FastifyReply) => {
    const { AccountSid } = req.params;
    const params = parseCreateCall(AccountSid, toParams(req.body));
    const call = await calls.create(params);
    req.log.debug({ callSid: call.sid, to: params.to }, 'call created through the API');
    return reply.code(201).send(callJson(call));
  });

  app.get(base + '.json', async (req: AccountRequest) => {
    const { AccountSid } = req.params;
    const params = toParams(req.query);
    const filter = parseCallFilter(params);
    const paging = parsePaging(params);
    const page = await calls.list(AccountSid, filter, paging);
    const meta = pageMeta(`${callsPath(AccountSid)}.json`, params, CALL_FILTER_PARAMS, paging, page, callKey);
    return { calls: page.items.map(callJson), ...meta };
  });

  app.get(base + '/:CallSid.json', async (req: CallRequest) => {
    const { AccountSid, CallSid } = req.params;
    const call = await calls.get(AccountSid, CallSid);
    if (!call) throw notFound(`${callsPath(AccountSid)}/${CallSid}.json`);
    return callJson(call);
  });

  app.post(base + '/:CallSid.json', async (req: CallRequest) => {
    const { AccountSid, CallSid } = req.params;
    const update = parseUpdateCall(toParams(req.body));
    const missing = (): never => {
      throw notFound(`${callsPath(AccountSid)}/${CallSid}.json`);
    };
    // New callbacks first: the completed callback of a Status=completed goes to the new StatusCallback.
    if (update.callbacks && !(await calls.updateCallbacks(AccountSid, CallSid, update.callbacks))) missing();
    let call: CallRecord | undefined;
    if (update.kind === 'redirect') call = await calls.redirect(AccountSid, CallSid, update.to);
    else if (update.kind === 'end') call = await calls.end(AccountSid, CallSid, update.status);
    else call = await calls.get(AccountSid, CallSid);
    if (!call) return missing();
    req.log.debug({ callSid: CallSid, update: update.kind, callbacks: update.callbacks !== undefined }, 'call updated through the API');
    return callJson(call);
  });

  app.delete(base + '/:CallSid.json', async (req: CallRequest, reply: FastifyReply) => {
    const { AccountSid, CallSid } = req.params;
    if (!(await calls.delete(AccountSid, CallSid))) throw notFound(`${callsPath(AccountSid)}/${CallSid}.json`);
    req.log.debug({ callSid: CallSid }, 'call record deleted through the API');
    return reply.code(204).send();
  });

  refuseOtherMethods(app, base + '.json', ['GET', 'POST']);
  refuseOtherMethods(app, base + '/:CallSid.json', ['GET', 'POST', 'DELETE']);
}
