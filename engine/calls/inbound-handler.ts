import type Srf from 'drachtio-srf';
import type { EngineConfig } from '../../config/engine-config.js';
import { runInstructions } from '../../instructions/runtime/interpreter.js';
import { RedirectChannel } from '../../instructions/runtime/redirect-channel.js';
import { screenCaller, type Caller } from '../auth/caller-screen.js';
import { newCallSid } from '../routing/call-sid.js';
import { routeCall } from '../routing/route-to-user.js';
import type { CallDeps } from './call-deps.js';
import { CallSession } from './call-session.js';
import { InboundCallControl } from './inbound-call-control.js';
import { bareUri, sipCallParams } from './sip-call-params.js';
import { finishCall } from './call-ending.js';
import { callDocuments, changeCallbacks } from './callback-changes.js';
import { StatusEvents } from './status-events.js';
import { publishVerbs } from './verb-events.js';

/**
 * The srf.invite handler: routes the INVITE (403/404 when refused), makes
 * the call's session, sends the initiated and ringing callbacks, rings
 * (180), runs the application's documents (the first one is fetched before
 * answering, so <Reject> refuses without answering), and at the end
 * releases the call and sends the completed callback. The call is live
 * (redirect, hang up) for the REST API while it runs.
 */
export function createInboundHandler(config: EngineConfig, deps: CallDeps): (req: Srf.SrfRequest, res: Srf.SrfResponse) => void {
  return (req, res) => {
    // With SIP users configured, a caller outside allowedSources authenticates first (407, 403).
    screenCaller(config, deps.registrar, req, res, deps.log).then(
      (caller) => {
        if (caller) takeCall(req, res, caller);
      },
      (err: unknown) => {
        deps.log.error({ err, callId: req.get('Call-ID') }, 'the caller could not be authenticated');
        if (!res.finalResponseSent) res.send(500);
      },
    );
  };

  function takeCall(req: Srf.SrfRequest, res: Srf.SrfResponse, caller: Caller): void {
    const callId = req.get('Call-ID');
    const decision = routeCall(config, deps.registrar, {
      requestUri: req.uri,
      to: req.get('To'),
      from: req.get('From'),
      sourceAddress: req.source_address,
      ...(caller.kind === 'user' ? { caller: caller.user } : {}),
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
    const status = new StatusEvents(deps.events, app);
    const documents = callDocuments(app);
    const control = new InboundCallControl({ ...deps, req, res, session, documents, account, status, log });
    const redirects = new RedirectChannel();
    req.on('cancel', () => control.partyGone('canceled'));
    log.info({ from: session.from, to: session.to, application: app.id, matchedBy: decision.matchedBy }, 'inbound call');

    const done = (async () => {
      deps.store.add(session, status.settings);
      status.send('initiated', session);
      // RFC 3261 21.1.2 180 Ringing while the application is asked what to do.
      if (!res.finalResponseSent) res.send(180);
      status.send('ringing', session);
      // A call to a registered user's address runs <Dial><Client> instead of an application's document.
      const first = 'first' in decision ? decision.first : { url: app.voiceUrl, method: app.voiceMethod };
      const result = await runInstructions(control, first, { redirects, onVerb: publishVerbs(deps.events, session) });
      log.info({ end: result.end, documents: result.documents }, 'instructions ended');
    })()
      .catch((err: unknown) => log.error({ err }, 'call failed'))
      .then(async () => {
        await control.release();
        await finishCall(session, { status, store: deps.store, log }, control.lastWebhookError);
      })
      .catch((err: unknown) => log.error({ err }, 'call clean-up failed'));
    deps.live.add({
      session,
      done,
      redirect: (to) => {
        redirects.push(to);
        return true;
      },
      updateCallbacks: (changes) => changeCallbacks({ documents, status, session, store: deps.store, log }, changes),
      recordings: () => control.recordings,
      end: async (how) => {
        if (how === 'canceled' && control.answered) return;
        await control.endFromApi();
        await done;
      },
      shutdown: () => control.shutdown(),
    });
  }
}
