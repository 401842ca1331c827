import { createResponse } from '../message/response.js';
import { SipRequest, SipResponse } from '../message/sip-message.js';
import { parseNameAddr } from '../message/name-addr.js';
import { parseUri } from '../message/uri.js';
import type { ServerTransaction } from '../transaction/transaction-layer.js';
import type { CoreState } from './core-state.js';
import { stripOwnRoute } from './proxy.js';
import { resolveTarget } from './target-resolver.js';

/** Does the request's first Route name this server (a dialog it record-routed)? */
export function routedThroughUs(core: CoreState, req: SipRequest): boolean {
  const first = req.headers.values('route')[0];
  if (!first) return false;
  try {
    const uri = parseUri(parseNameAddr(first).uri);
    return core.local.isLocal(uri.host, uri.port);
  } catch {
    return false;
  }
}

/**
 * A request inside a dialog the server record-routed as a proxy (§16.4,
 * §16.6): our Route is removed and the request goes on to the next Route or
 * the Request-URI. An ACK goes without a transaction; anything else in a
 * client transaction whose responses are relayed upstream without our Via.
 */
export async function forwardInDialog(core: CoreState, req: SipRequest, tx?: ServerTransaction): Promise<void> {
  const fwd = new SipRequest(req.method, req.uri, req.headers.clone(), req.body, req.version);
  const h = fwd.headers;
  const mf = Number(h.get('max-forwards') ?? '70');
  if (mf <= 0) {
    tx?.respond(createResponse(req, 483));
    return;
  }
  h.set('Max-Forwards', String(mf - 1));
  stripOwnRoute(core, fwd);
  const target = await resolveTarget(fwd.uri, {
    route: h.values('route')[0],
    available: (p) => core.transports.hasProtocol(p),
  });
  h.prepend('Via', core.local.via(target, core.transactions.newBranch()));
  if (!tx) {
    await core.transports.send(fwd, target);
    return;
  }
  const upstreamVias = req.headers.values('via').length;
  const relay = (res: SipResponse): void => {
    const up = new SipResponse(res.status, res.reason, res.headers.clone(), res.body, res.version);
    if (up.headers.values('via').length > upstreamVias) up.headers.shift('via');
    if (tx.respond(up) && up.status >= 200 && up.status < 300 && 'ackReceived' in tx) tx.ackReceived();
  };
  core.transactions.sendRequest(fwd, target, {
    onProvisional: (res) => {
      if (res.status > 100) relay(res);
    },
    onFinal: relay,
    onTimeout: () => relay(createResponse(req, 408)),
    onTransportError: () => relay(createResponse(req, 503)),
  });
}
