import type { CallControl, NextDocumentRequest } from './call-control.js';
import { executeVerb } from './verbs/index.js';
import type { EndOfCall } from './verb-executor.js';

/** Spoken when the application cannot be reached and no fallback helps. */
export const APPLICATION_ERROR_TEXT = 'An application error has occurred. Goodbye.';

/** Redirects and actions in a row without a verb that waits on the caller: a loop. */
export const MAX_DOCUMENTS_WITHOUT_MEDIA = 100;

/** Why the interpreter stopped. */
export type InterpreterEnd = EndOfCall | 'document-ended' | 'application-error';

export interface InterpreterResult {
  end: InterpreterEnd;
  /** Documents fetched, the first included. */
  documents: number;
}

const MEDIA_VERBS = new Set(['Say', 'Play', 'Gather', 'Record', 'Pause']);

/** Answers if needed and speaks the application error, then ends the call (Twilio answers to speak it). */
async function applicationError(control: CallControl): Promise<void> {
  if (control.hangupSignal.aborted) return;
  try {
    const endpoint = await control.answer();
    await endpoint.say(APPLICATION_ERROR_TEXT, { signal: control.hangupSignal });
  } catch (err) {
    control.log.warn({ reason: (err as Error).message }, 'the application error could not be spoken');
  }
  if (!control.hangupSignal.aborted) await control.hangup();
}

/**
 * Runs a call's documents, TwiML style: fetch the first document, run its
 * verbs in order; an action or Redirect fetches a document that replaces
 * the current one; after the last verb the call ends (hung up here). A
 * caller's hangup (control.hangupSignal) stops the running verb and ends the
 * interpreter at once.
 */
export async function runInstructions(control: CallControl, first: NextDocumentRequest): Promise<InterpreterResult> {
  const log = control.log;
  const signal = control.hangupSignal;
  let request: NextDocumentRequest | undefined = first;
  let documents = 0;
  let withoutMedia = 0;
  while (request) {
    if (signal.aborted) return { end: 'caller-hangup', documents };
    const fetched = await control.fetchNext(request);
    documents++;
    if (signal.aborted) return { end: 'caller-hangup', documents };
    if ('error' in fetched) {
      log.error({ url: fetched.url, reason: fetched.error }, 'no instructions: application error');
      await applicationError(control);
      return { end: 'application-error', documents };
    }
    const { document } = fetched;
    if (document.verbs.some((v) => MEDIA_VERBS.has(v.verb))) withoutMedia = 0;
    else if (++withoutMedia > MAX_DOCUMENTS_WITHOUT_MEDIA) {
      log.error({ url: fetched.url, documents }, 'too many documents in a row without a media verb: redirect loop');
      await applicationError(control);
      return { end: 'application-error', documents };
    }
    request = undefined;
    for (const verb of document.verbs) {
      if (signal.aborted) return { end: 'caller-hangup', documents };
      log.debug({ verb: verb.verb, url: fetched.url }, 'verb');
      const result = await executeVerb(verb, { control, log, signal });
      if (result.kind === 'end') return { end: signal.aborted ? 'caller-hangup' : result.reason, documents };
      if (result.kind === 'fetch') {
        request = result.request;
        break;
      }
    }
  }
  if (signal.aborted) return { end: 'caller-hangup', documents };
  // RFC 3261 15: the engine ends the dialog with BYE after the last verb.
  await control.hangup();
  return { end: 'document-ended', documents };
}
