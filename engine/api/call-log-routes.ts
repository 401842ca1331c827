import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CallLogEntry, CallLogNotification, CallLogWebhook } from '../call-log/call-log-record.js';
import type { CallLogStore } from '../store/types.js';
import { notFound } from './api-errors.js';
import { callsPath } from './api-paths.js';
import { callEventJson, notificationJson, notificationsPath } from './call-log-json.js';
import type { CallService } from './call-service.js';
import { refuseOtherMethods } from './method-not-allowed.js';
import { cutPage, pageMeta, parsePaging, type PageKey } from './paging.js';
import { single, toParams } from './request-params.js';

type CallRequest = FastifyRequest<{ Params: { AccountSid: string; CallSid: string } }>;
type NotificationRequest = FastifyRequest<{ Params: { AccountSid: string; CallSid: string; Sid: string } }>;

const entryKey = (e: CallLogEntry): PageKey => ({ time: e.at.getTime(), sid: e.sid });

/**
 * A call's debugging resources, as Twilio has them: Calls/{sid}/Events.json
 * (each request made to the application about the call, with its answer)
 * and Calls/{sid}/Notifications.json (its warnings and errors, with
 * Twilio's codes), newest first. A call of another account is 404.
 */
export function registerCallLogRoutes(app: FastifyInstance, calls: CallService, log: CallLogStore): void {
  const base = '/2010-04-01/Accounts/:AccountSid/Calls/:CallSid';

  async function entriesOf<K extends CallLogEntry['kind']>(accountSid: string, callSid: string, kind: K, what: string): Promise<Extract<CallLogEntry, { kind: K }>[]> {
    if (!(await calls.get(accountSid, callSid))) throw notFound(what);
    return (await log.entries(callSid)).filter((e): e is Extract<CallLogEntry, { kind: K }> => e.kind === kind && e.accountSid === accountSid);
  }

  app.get(base + '/Events.json', async (req: CallRequest) => {
    const { AccountSid, CallSid } = req.params;
    const path = `${callsPath(AccountSid)}/${encodeURIComponent(CallSid)}/Events.json`;
    const params = toParams(req.query);
    const paging = parsePaging(params);
    const page = cutPage<CallLogWebhook>(await entriesOf(AccountSid, CallSid, 'webhook', path), paging, entryKey);
    return { events: page.items.map(callEventJson), ...pageMeta(path, params, [], paging, page, entryKey) };
  });

  app.get(base + '/Notifications.json', async (req: CallRequest) => {
    const { AccountSid, CallSid } = req.params;
    const path = `${notificationsPath(AccountSid, CallSid)}.json`;
    const params = toParams(req.query);
    const paging = parsePaging(params);
    let all = await entriesOf(AccountSid, CallSid, 'notification', path);
    // Twilio's Log filter: 0 errors, 1 warnings.
    const level = single(params, 'Log');
    if (level === '0' || level === '1') all = all.filter((n) => (n.level === 'error') === (level === '0'));
    const page = cutPage<CallLogNotification>(all, paging, entryKey);
    return { notifications: page.items.map(notificationJson), ...pageMeta(path, params, ['Log'], paging, page, entryKey) };
  });

  app.get(base + '/Notifications/:Sid.json', async (req: NotificationRequest) => {
    const { AccountSid, CallSid, Sid } = req.params;
    const path = `${notificationsPath(AccountSid, CallSid)}/${Sid}.json`;
    const found = (await entriesOf(AccountSid, CallSid, 'notification', path)).find((n) => n.sid === Sid);
    if (!found) throw notFound(path);
    return notificationJson(found);
  });

  refuseOtherMethods(app, base + '/Events.json', ['GET']);
  refuseOtherMethods(app, base + '/Notifications.json', ['GET']);
  refuseOtherMethods(app, base + '/Notifications/:Sid.json', ['GET']);
}
