import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badParameter, notFound } from './api-errors.js';
import { accountPath } from './api-paths.js';
import { refuseOtherMethods } from './method-not-allowed.js';
import { cutPage, pageMeta, parsePaging, type PageKey } from './paging.js';
import { single, toParams } from './request-params.js';
import { toRfc2822 } from './rfc2822.js';

/** A contact of a registered user, as the registrar holds it. */
export interface RegistrationContact {
  contactUri: string;
  source: { protocol: string; address: string; port: number };
  expiresAt: number;
  userAgent?: string;
}

export interface RegistrationRecord {
  username: string;
  accountSid: string;
  application?: string;
  /** Unexpired contacts, most recently registered first. */
  contacts: readonly RegistrationContact[];
}

/** What the Registrations resource reads. */
export interface RegistrationService {
  list(accountSid: string): RegistrationRecord[];
  get(accountSid: string, username: string): RegistrationRecord | undefined;
  /** The registrar's clock, for the seconds left of each contact. */
  now(): number;
}

type AccountRequest = FastifyRequest<{ Params: { AccountSid: string } }>;
type UserRequest = FastifyRequest<{ Params: { AccountSid: string; Username: string } }>;

export function registrationsPath(accountSid: string): string {
  return `${accountPath(accountSid)}/SIP/Registrations`;
}

/** The JSON of one user's registration state. */
export function registrationJson(r: RegistrationRecord, now: number): object {
  return {
    account_sid: r.accountSid,
    username: r.username,
    status: r.contacts.length > 0 ? 'online' : 'offline',
    application: r.application ?? null,
    contacts: r.contacts.map((c) => ({
      uri: c.contactUri,
      expires: Math.max(0, Math.ceil((c.expiresAt - now) / 1000)),
      date_expires: toRfc2822(new Date(c.expiresAt)),
      protocol: c.source.protocol,
      received: `${c.source.address}:${c.source.port}`,
      user_agent: c.userAgent ?? null,
    })),
    uri: `${registrationsPath(r.accountSid)}/${encodeURIComponent(r.username)}.json`,
  };
}

/** Users are listed by username; the page key's time is fixed so the sid (the username) orders them. */
const userKey = (r: RegistrationRecord): PageKey => ({ time: 0, sid: r.username });

/**
 * The SIP registrations resource (a dialtone extension on Twilio's paths):
 * every SIP user of the account with its presence (online with its contacts,
 * or offline), paged like the other lists and filtered by Status; and one
 * user's state (404 for a user the account does not have).
 */
export function registerRegistrationRoutes(app: FastifyInstance, registrations: RegistrationService): void {
  const base = '/2010-04-01/Accounts/:AccountSid/SIP';

  app.get(base + '/Registrations.json', async (req: AccountRequest) => {
    const { AccountSid } = req.params;
    const params = toParams(req.query);
    const status = single(params, 'Status');
    if (status !== undefined && status !== 'online' && status !== 'offline') throw badParameter('Status must be online or offline');
    const paging = parsePaging(params);
    const all = registrations.list(AccountSid).filter((r) => status === undefined || (r.contacts.length > 0 ? 'online' : 'offline') === status);
    const page = cutPage(all, paging, userKey);
    const meta = pageMeta(`${registrationsPath(AccountSid)}.json`, params, ['Status'], paging, page, userKey);
    const now = registrations.now();
    return { registrations: page.items.map((r) => registrationJson(r, now)), ...meta };
  });

  app.get(base + '/Registrations/:Username.json', async (req: UserRequest) => {
    const { AccountSid, Username } = req.params;
    const record = registrations.get(AccountSid, Username);
    if (!record) throw notFound(`${registrationsPath(AccountSid)}/${Username.slice(0, 100)}.json`);
    return registrationJson(record, registrations.now());
  });

  for (const url of ['/Registrations.json', '/Registrations/:Username.json']) refuseOtherMethods(app, base + url, ['GET']);
}
