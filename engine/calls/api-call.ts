import { clientName } from '../api/call-address.js';
import type { CreateCallParams } from '../api/call-service.js';
import { runInstructions } from '../../instructions/runtime/interpreter.js';
import { RedirectChannel } from '../../instructions/runtime/redirect-channel.js';
import type { Account } from '../../config/engine-config.js';
import type { CallDeps } from './call-deps.js';
import type { CallSession } from './call-session.js';
import type { LiveCall } from './live-calls.js';
import { attemptContacts, clientContacts } from './client-legs.js';
import { attemptOutbound } from './outbound-attempt.js';
import { callerParty, invitedWith } from './api-call-caller.js';
import { callDocuments, changeCallbacks } from './callback-changes.js';
import type { CallDocumentSettings } from './sip-call-base.js';
import { OutboundCallControl } from './outbound-call-control.js';
import { finishCall } from './call-ending.js';
import { StatusEvents } from './status-events.js';
import { publishVerbs } from './verb-events.js';

/**
 * Runs a call created over the REST API: places it, and once answered runs
 * its Url (or Twiml) on it; a redirect replaces the running document, and
 * ending it cancels (ringing) or hangs up (answered). With Record, the
 * call is recorded from the answer to the end (engine/recordings/).
 */
export function startApiCall(
  deps: CallDeps,
  account: Account,
  session: CallSession,
  params: CreateCallParams,
  documents: CallDocumentSettings = callDocuments(params),
): LiveCall {
  const log = deps.log.child({ callSid: session.sid });
  const status = new StatusEvents(deps.events, {
    statusCallback: params.statusCallback,
    statusCallbackMethod: params.statusCallbackMethod,
    statusCallbackEvents: params.statusCallbackEvents,
  });
  const cancel = new AbortController();
  const redirects = new RedirectChannel();
  let control: OutboundCallControl | undefined;
  const first = params.twiml !== undefined ? { twiml: params.twiml } : { url: params.url!, method: params.method };

  const run = async (): Promise<void> => {
    const common = { session, status, from: callerParty(params), ...invitedWith(params), timeoutSeconds: params.timeoutSeconds, signal: cancel.signal, log };
    // To=client:<name> rings every registered contact of that SIP user.
    const client = clientName(params.to);
    const attempt =
      client !== undefined
        ? await attemptContacts(deps, { ...common, username: client, contacts: clientContacts(deps, client, log) })
        : await attemptOutbound(deps, { ...common, to: params.to, auth: { username: params.sipAuthUsername, password: params.sipAuthPassword } });
    if ('status' in attempt) return;
    control = new OutboundCallControl(
      {
        ...deps,
        session,
        documents,
        account,
        status,
        log,
      },
      attempt.answered.dialog,
      attempt.answered.endpoint,
    );
    const answered = control;
    // Record: the whole call from its answer, both sides unless RecordingTrack says otherwise.
    if (params.recording) await answered.recordings.start(params.recording, 'OutboundAPI').catch((err: unknown) => log.warn({ reason: (err as Error).message }, 'the call could not be recorded'));
    // TimeLimit: the engine hangs up once the call has lasted that long.
    const limit = setTimeout(() => {
      log.info({ timeLimitSeconds: params.timeLimitSeconds }, 'the call reached its TimeLimit');
      void answered.release();
    }, (params.timeLimitSeconds ?? 14_400) * 1000);
    try {
      if (params.sendDigits !== undefined) await attempt.answered.endpoint.playDigits(params.sendDigits, { signal: answered.hangupSignal }).catch((err: unknown) => log.warn({ reason: (err as Error).message }, 'SendDigits could not be sent'));
      const result = await runInstructions(answered, first, { redirects, onVerb: publishVerbs(deps.events, session) });
      log.info({ end: result.end, documents: result.documents }, 'instructions ended');
    } finally {
      clearTimeout(limit);
    }
    await answered.release();
  };

  const done = run()
    .catch((err: unknown) => log.error({ err }, 'call failed'))
    .then(async () => {
      await control?.release();
      await finishCall(session, { status, store: deps.store, log }, control?.lastWebhookError);
    })
    .catch((err: unknown) => log.error({ err }, 'call clean-up failed'));

  const end = async (how: 'completed' | 'canceled'): Promise<void> => {
    if (control) {
      if (how === 'canceled') return;
      await control.release();
    } else cancel.abort();
    await done;
  };
  return {
    session,
    done,
    redirect: (to) => {
      redirects.push(to);
      return true;
    },
    updateCallbacks: (changes) => changeCallbacks({ documents, status, session, store: deps.store, log }, changes),
    recordings: () => control?.recordings,
    end,
    shutdown: () => end('completed'),
  };
}
