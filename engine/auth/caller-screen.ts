import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { EngineConfig } from '../../config/engine-config.js';
import type { Registrar, SipUser } from '../registrar/registrar.js';
import { SourceAllowList } from '../routing/source-allow-list.js';
import { challengeHeaderValue } from './caller-authenticator.js';

/** Who is calling: a trusted source (a trunk), or an authenticated SIP user. */
export type Caller = { kind: 'trusted' } | { kind: 'user'; user: SipUser };

const allowLists = new WeakMap<EngineConfig, SourceAllowList>();

function allowListOf(config: EngineConfig): SourceAllowList {
  let list = allowLists.get(config);
  if (!list) {
    list = new SourceAllowList(config.allowedSources);
    allowLists.set(config, list);
  }
  return list;
}

/**
 * Screens an inbound INVITE when SIP users are configured: a source in
 * `allowedSources` is trusted as before (and with users configured an empty
 * list trusts nobody); any other caller must authenticate as a user by
 * digest. The challenge is 407 Proxy-Authenticate (RFC 3261 §22.3), as
 * PBXs and proxies send to INVITE: the engine routes the call onwards like a
 * proxy would, and a 401 would tell a phone that the called party (not the
 * network) wants credentials. 403 for a wrong password or unknown user, 400
 * for malformed credentials. The 407/403/400 are final responses: the
 * caller's ACK is absorbed by the SIP server's transaction.
 *
 * Returns undefined when the INVITE has been answered here.
 */
export async function screenCaller(config: EngineConfig, registrar: Registrar, req: Srf.SrfRequest, res: Srf.SrfResponse, log: Logger): Promise<Caller | undefined> {
  const callers = registrar.callers;
  if (!callers) return { kind: 'trusted' };
  if (config.allowedSources.length > 0 && allowListOf(config).allows(req.source_address)) return { kind: 'trusted' };
  const authorization = req.has('Proxy-Authorization') ? req.get('Proxy-Authorization') : undefined;
  const outcome = await callers.authenticate({ method: 'INVITE', authorization });
  const callId = req.get('Call-ID');
  switch (outcome.kind) {
    case 'ok': {
      const user = registrar.user(outcome.username);
      if (user) return { kind: 'user', user };
      res.send(403);
      return undefined;
    }
    case 'challenge':
      log.debug({ callId, why: outcome.why, stale: outcome.stale, source: req.source_address }, 'inbound call challenged');
      res.send(407, { headers: { 'Proxy-Authenticate': challengeHeaderValue('Proxy-Authenticate', callers.challenges(outcome.stale)) } });
      return undefined;
    case 'bad-request':
      log.info({ callId, why: outcome.reason, source: req.source_address }, 'inbound call with malformed credentials');
      res.send(400, `Bad Request - ${outcome.reason}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 120), {});
      return undefined;
    case 'forbidden':
      log.info({ callId, username: outcome.username.slice(0, 64), why: outcome.why, source: req.source_address }, 'inbound call refused: authentication failed');
      res.send(403);
      return undefined;
  }
}
