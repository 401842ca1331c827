import type { Logger } from 'pino';
import type { Endpoint } from '../../media/types.js';
import type { DialAttempt, DialLeg, DialLegRequest } from '../../instructions/runtime/call-control.js';
import { newCallSid } from '../routing/call-sid.js';
import type { CallDeps } from './call-deps.js';
import { CallSession } from './call-session.js';
import { attemptContacts, clientContacts } from './client-legs.js';
import { DialLegRefers } from './dial-leg-refers.js';
import { attemptOutbound, fromUser } from './outbound-attempt.js';
import { OutboundCallControl } from './outbound-call-control.js';
import type { LegPlacer } from './sip-call-base.js';
import { StatusEvents } from './status-events.js';

/** The called party of a noun: where to call, with which credentials; or the SIP user of a Client. */
function nounTarget(
  req: DialLegRequest,
): { to: string; auth?: { username?: string; password?: string }; headers?: Readonly<Record<string, string>> } | { client: string; headers: Readonly<Record<string, string>> } {
  const { noun } = req;
  if (noun.noun === 'Number') return { to: noun.number };
  if (noun.noun === 'Sip') return { to: noun.uri, auth: { username: noun.username, password: noun.password }, headers: noun.headers };
  return { client: noun.identity, headers: clientHeaders(noun.parameters) };
}

/**
 * A <Client>'s <Parameter> children, which Twilio hands to the called
 * client, go to a SIP phone as X- headers of the INVITE (`FirstName` as
 * `X-FirstName`); a name that is not a header token, or a value with a line
 * break, is left out.
 */
function clientHeaders(parameters: readonly { name: string; value: string }[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { name, value } of parameters) {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/.test(name) || /[\r\n]/.test(value)) continue;
    headers[/^x-/i.test(name) ? name : `X-${name}`] = value;
  }
  return headers;
}

/**
 * Places the called parties of <Dial> as child calls of the caller's call
 * (Direction outbound-dial, ParentCallSid): each has its CallSid, its
 * status callbacks (the noun's statusCallback and statusCallbackEvent), a
 * place in the call store, and its own media endpoint.
 */
export class LegDialer implements LegPlacer {
  private deps: CallDeps | undefined;

  /** The dialer is made before the dependencies it shares with every call; they come here. */
  bind(deps: CallDeps): void {
    this.deps = deps;
  }

  async place(parent: CallSession, req: DialLegRequest, parentLog: Logger, near?: Endpoint): Promise<DialAttempt> {
    const deps = this.deps;
    if (!deps) throw new Error('the Dial leg placer is not bound to the engine');
    const account = deps.accounts.find((a) => a.id === parent.accountSid);
    if (!account) throw new Error(`no account ${parent.accountSid}`);
    const target = nounTarget(req);
    const callerId = req.callerId ?? parent.from;
    const session = new CallSession({
      sid: newCallSid(),
      accountSid: parent.accountSid,
      applicationId: parent.applicationId,
      from: callerId,
      // Twilio's To of a client leg is client:<identity>.
      to: 'to' in target ? target.to : `client:${target.client}`,
      direction: 'outbound-dial',
      parentCallSid: parent.sid,
      status: 'queued',
    });
    const log = parentLog.child({ dialCallSid: session.sid });
    const { noun } = req;
    const status = new StatusEvents(deps.events, {
      statusCallback: noun.statusCallback,
      statusCallbackMethod: noun.statusCallbackMethod,
      statusCallbackEvents: noun.statusCallbackEvent,
    });
    deps.store.add(session, status.settings);
    const finish = async (extra: Record<string, string> = {}): Promise<void> => {
      const code = session.sipResponseCode;
      status.send('completed', session, code === undefined ? extra : { SipResponseCode: String(code), ...extra });
      deps.store.ended(session);
    };
    const common = {
      session,
      status,
      from: { user: fromUser(callerId) },
      timeoutSeconds: req.timeoutSeconds,
      signal: req.signal,
      onEarlyMedia: req.onEarlyMedia,
      onRinging: req.onRinging,
      near,
      log,
    };
    const attempt =
      'client' in target
        ? await attemptContacts(deps, { ...common, username: target.client, contacts: clientContacts(deps, target.client, log), headers: target.headers })
        : await attemptOutbound(deps, { ...common, to: target.to, auth: target.auth, ...(target.headers ? { headers: target.headers } : {}) });
    if ('status' in attempt) {
      await finish();
      return { status: attempt.status, callSid: session.sid, sipStatus: attempt.sipStatus, reason: attempt.reason, ...(attempt.sip ? { sip: attempt.sip } : {}) };
    }
    const refers = new DialLegRefers();
    const control = new OutboundCallControl(
      {
        ...deps,
        refers: refers.decide,
        session,
        documents: { fallbackMethod: 'POST' },
        account,
        status,
        log,
      },
      attempt.answered.dialog,
      attempt.answered.endpoint,
    );
    const done = new Promise<void>((resolve) => {
      control.hangupSignal.addEventListener(
        'abort',
        () => {
          void control
            .release()
            .then(() => finish())
            .catch((err: unknown) => log.error({ err }, 'Dial leg clean-up failed'))
            .finally(resolve);
        },
        { once: true },
      );
    });
    deps.live.add({
      session,
      done,
      redirect: () => false,
      recordings: () => control.recordings,
      end: () => control.release(),
      shutdown: () => control.release(),
    });
    const leg: DialLeg = {
      callSid: session.sid,
      sip: attempt.sip,
      endpoint: attempt.answered.endpoint,
      control,
      get durationSeconds() {
        return session.durationSeconds;
      },
      hangup: async () => {
        await control.release();
        await done;
      },
      onTransfer: (handler) => refers.set(handler),
    };
    return { answered: leg };
  }
}
