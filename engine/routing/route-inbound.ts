import type { Account, Application, EngineConfig } from '../../config/engine-config.js';
import type { SipUser } from '../registrar/registrar.js';
import { SourceAllowList } from './source-allow-list.js';
import { sipUriParts } from './sip-uri-parts.js';

/** What routing looks at in an inbound INVITE. */
export interface InboundCall {
  /** Request-URI, e.g. `sip:100@pbx.example.com;transport=udp`. */
  requestUri: string;
  /** To header value. */
  to?: string;
  /** From header value (not used for routing yet; kept for logs). */
  from?: string;
  /** Address the INVITE came from. */
  sourceAddress: string;
  /**
   * The SIP user the caller authenticated as (engine/auth/caller-screen.ts):
   * the allow list does not apply, and the user's application, if it has
   * one, takes the call.
   */
  caller?: SipUser;
}

export type RouteDecision =
  | { application: Application; account: Account; matchedBy: 'user' | 'domain' | 'default' | 'caller' }
  | { reject: 403 | 404; reason: string };

interface CompiledRoutes {
  allow: SourceAllowList;
  apps: Map<string, Application>;
  users: Map<string, string>;
  domains: Map<string, string>;
  accountOf: (app: Application) => Account;
}

const compiled = new WeakMap<EngineConfig, CompiledRoutes>();

function compile(config: EngineConfig): CompiledRoutes {
  let routes = compiled.get(config);
  if (routes) return routes;
  const accounts = new Map(config.accounts.map((a) => [a.id, a]));
  const [firstAccount] = config.accounts;
  routes = {
    allow: new SourceAllowList(config.allowedSources),
    apps: new Map(config.applications.map((a) => [a.id, a])),
    users: new Map(Object.entries(config.routes.users)),
    domains: new Map(Object.entries(config.routes.domains).map(([d, id]) => [d.toLowerCase(), id])),
    accountOf: (app) => {
      const account = app.account === undefined ? firstAccount : accounts.get(app.account);
      if (!account) throw new Error(`application ${app.id} has no account`);
      return account;
    },
  };
  compiled.set(config, routes);
  return routes;
}

/**
 * Picks the application for an inbound call. A source outside the allow list
 * is refused with 403 Forbidden (RFC 3261 21.4.4). Otherwise, in order: the
 * dialled user part of the Request-URI, the user part of To, the Request-URI's
 * domain, the default application; when none matches, 404 Not Found
 * (RFC 3261 21.4.5).
 */
export function routeInbound(config: EngineConfig, call: InboundCall): RouteDecision {
  const routes = compile(config);
  if (call.caller?.application !== undefined) {
    const application = routes.apps.get(call.caller.application);
    if (application) return { application, account: routes.accountOf(application), matchedBy: 'caller' };
  }
  if (call.caller === undefined && !routes.allow.allows(call.sourceAddress)) {
    return { reject: 403, reason: `source ${call.sourceAddress} is not in the allowed sources` };
  }
  const ruri = sipUriParts(call.requestUri);
  const to = call.to === undefined ? undefined : sipUriParts(call.to);
  const pick = (id: string | undefined, matchedBy: 'user' | 'domain' | 'default'): RouteDecision | undefined => {
    const application = id === undefined ? undefined : routes.apps.get(id);
    return application ? { application, account: routes.accountOf(application), matchedBy } : undefined;
  };
  const byUser = (user: string | undefined): RouteDecision | undefined => (user === undefined ? undefined : pick(routes.users.get(user), 'user'));
  const decision =
    byUser(ruri?.user) ??
    byUser(to?.user) ??
    (ruri?.host === undefined ? undefined : pick(routes.domains.get(ruri.host), 'domain')) ??
    pick(config.routes.default, 'default');
  return decision ?? { reject: 404, reason: `no application for ${call.requestUri}` };
}
