import { ApplicationSchema, type Account, type Application, type EngineConfig } from '../../config/engine-config.js';
import type { InlineDocument } from '../../instructions/runtime/call-control.js';
import type { Registrar, SipUser } from '../registrar/registrar.js';
import { routeInbound, type InboundCall, type RouteDecision } from './route-inbound.js';
import { sipUriParts } from './sip-uri-parts.js';

/** A call to a registered SIP user's address: the engine rings that user itself. */
export interface UserRoute {
  application: Application;
  account: Account;
  matchedBy: 'sip-user';
  /** The document that runs instead of an application's: <Dial><Client>user</Client></Dial>. */
  first: InlineDocument;
  user: SipUser;
}

export type CallRoute = RouteDecision | UserRoute;

/** XML text content: the five characters XML gives meaning to, escaped. */
function xmlText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Routes an inbound INVITE as routeInbound does, with one addition: when
 * the Request-URI's user is a SIP user of the registrar (RFC 3261 §10: the
 * address-of-record a softphone registered) and no `routes.users` entry
 * names it, the call rings that user, as if the application had answered
 * `<Response><Dial><Client>user</Client></Dial></Response>`. So one
 * softphone reaches another by dialling its name. The allow list still
 * comes first (403); an explicit user route, and the application of a
 * calling user who has one, win over the registrar.
 */
export function routeCall(config: EngineConfig, registrar: Registrar, call: InboundCall): CallRoute {
  const decision = routeInbound(config, call);
  if ('reject' in decision ? decision.reject === 403 : decision.matchedBy === 'caller') return decision;
  const username = sipUriParts(call.requestUri)?.user;
  if (username === undefined || Object.hasOwn(config.routes.users, username)) return decision;
  const user = registrar.user(username);
  if (!user) return decision;
  const account = config.accounts.find((a) => a.id === user.accountSid);
  if (!account) return decision;
  // The defaults of an application without callbacks; its voiceUrl is never fetched (the call runs `first`).
  const application: Application = {
    ...ApplicationSchema.parse({ id: 'sip-user', account: account.id, voiceUrl: 'http://127.0.0.1/' }),
    id: `client:${user.username}`,
  };
  const first = { twiml: `<Response><Dial><Client>${xmlText(user.username)}</Client></Dial></Response>` };
  return { application, account, matchedBy: 'sip-user', first, user };
}
