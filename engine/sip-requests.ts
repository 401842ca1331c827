import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { EngineConfig } from '../config/engine-config.js';
import type { CallDeps } from './calls/call-deps.js';
import { createInboundHandler } from './calls/inbound-handler.js';
import { createRegisterHandler } from './registrar/register-handler.js';
import type { SipRegistrar } from './registrar/sip-registrar.js';

/**
 * The SIP requests outside a dialog that the engine takes from its SIP
 * server: INVITEs become calls (503 with Retry-After while the engine
 * drains), REGISTERs go to the registrar.
 */
export function serveSipRequests(srf: Srf, config: EngineConfig, deps: CallDeps, registrar: SipRegistrar, log: Logger): void {
  const handler = createInboundHandler(config, deps);
  srf.invite((req, res) => {
    if (deps.live.draining) {
      // RFC 3261 §21.5.4: the engine is going away; a trunk tries another, or again later.
      res.send(503, { headers: { 'Retry-After': String(Math.max(1, Math.ceil(config.shutdown.drainSeconds))) } });
      return;
    }
    try {
      handler(req, res);
    } catch (err) {
      log.error({ err, callId: req.get('Call-ID') }, 'inbound call could not be handled');
      if (!res.finalResponseSent) res.send(500);
    }
  });
  // RFC 3261 §10.3: REGISTER from the SIP users (405 Method Not Allowed when there are none).
  (srf as unknown as { register(h: (req: Srf.SrfRequest, res: Srf.SrfResponse) => void): void }).register(
    createRegisterHandler(registrar, log.child({ component: 'registrar' })),
  );
}
