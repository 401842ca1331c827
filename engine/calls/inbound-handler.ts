import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { EngineConfig } from '../../config/engine-config.js';
import type { MediaServer } from '../../media/types.js';
import { runInstructions } from '../../instructions/runtime/interpreter.js';
import { newCallSid } from '../routing/call-sid.js';
import { routeInbound } from '../routing/route-inbound.js';
import type { WebhookClient } from '../webhooks/webhook-client.js';
import type { StatusCallbackSender } from '../webhooks/status-callback.js';
import { CallSession } from './call-session.js';
import type { CallStore } from './call-store.js';
import { bareUri, sipCallParams } from './sip-call-params.js';
import { SipCallControl } from './sip-call-control.js';
import { StatusEvents } from './status-events.js';

export interface InboundHandlerDeps {
  config: EngineConfig;
  srf: Srf;
  media: MediaServer;
  webhooks: WebhookClient;
  statusSender: StatusCallbackSender;
  store: CallStore;
  recordings: { dir: string; baseUrl: string };
  log: Logger;
}

/** Calls being handled, so that the engine can end them when it stops. */
export interface ActiveCalls {
  add(control: SipCallControl, done: Promise<void>): void;
}

/**
 * The srf.invite handler: routes the INVITE (403/404 when refused), makes
 * the call's session, sends the initiated and ringing callbacks, rings
 * (180), runs the application's documents (the first one is fetched before
 * answering, so <Reject> refuses without answering), and at the end
 * releases the call and sends the completed callback.
 */
export function createInboundHandler(deps: InboundHandlerDeps, active: ActiveCalls): (req: Srf.SrfRequest, res: Srf.SrfResponse) => void {
  return (req, res) => {
    const callId = req.get('Call-ID');
    const decision = routeInbound(deps.config, {
      requestUri: req.uri,
      to: req.get('To'),
      from: req.get('From'),
      sourceAddress: req.source_address,
    });
    if ('reject' in decision) {
      deps.log.info({ callId, status: decision.reject, reason: decision.reason, source: req.source_address }, 'inbound call refused');
      res.send(decision.reject);
      return;
    }
    const { application: app, account } = decision;
    const session = new CallSession({
      sid: newCallSid(),
      accountSid: account.id,
      applicationId: app.id,
      from: bareUri(req.get('From')),
      to: bareUri(req.uri),
      callId,
      sourceAddress: req.source_address,
      sourcePort: Number(req.source_port),
      sipParams: sipCallParams({
        uri: req.uri,
        callId,
        sourceAddress: req.source_address,
        sourcePort: Number(req.source_port),
        headers: req.headers,
        from: req.get('From'),
        to: req.get('To'),
      }),
      status: 'ringing',
    });
    const log = deps.log.child({ callSid: session.sid, callId });
    const status = new StatusEvents(deps.statusSender, app, account);
    const control = new SipCallControl({
      srf: deps.srf,
      req,
      res,
      session,
      app,
      account,
      media: deps.media,
      webhooks: deps.webhooks,
      statusSender: deps.statusSender,
      status,
      recordings: deps.recordings,
      log,
    });
    req.on('cancel', () => control.callerGone('canceled'));
    log.info({ from: session.from, to: session.to, application: app.id, matchedBy: decision.matchedBy }, 'inbound call');

    const done = (async () => {
      await deps.store.add(session);
      status.send('initiated', session);
      // RFC 3261 21.1.2 180 Ringing while the application is asked what to do.
      if (!res.finalResponseSent) res.send(180);
      status.send('ringing', session);
      const result = await runInstructions(control, { url: app.voiceUrl, method: app.voiceMethod });
      log.info({ end: result.end, documents: result.documents }, 'instructions ended');
    })()
      .catch((err: unknown) => log.error({ err }, 'call failed'))
      .then(async () => {
        await control.release();
        if (!session.isFinal) session.setStatus(session.answerTime ? 'completed' : 'failed');
        const extra: Record<string, string> = {};
        if (control.sipResponseCode !== undefined) extra.SipResponseCode = String(control.sipResponseCode);
        if (control.lastWebhookError) {
          extra.ErrorCode = String(control.lastWebhookError.code);
          extra.ErrorUrl = control.lastWebhookError.url;
        }
        status.send('completed', session, extra);
        log.info({ status: session.status, duration: session.durationSeconds }, 'call ended');
        await deps.store.remove(session.sid);
      })
      .catch((err: unknown) => log.error({ err }, 'call clean-up failed'));
    active.add(control, done);
  };
}
