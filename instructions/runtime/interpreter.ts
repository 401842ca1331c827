import type { CallControl, DocumentSource } from './call-control.js';
import type { RedirectChannel } from './redirect-channel.js';
import { executeVerb } from './verbs/index.js';
import type { EndOfCall, FetchedDocument } from './verb-executor.js';

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

export interface RunOptions {
  /** Redirects from outside (the REST API): they stop the running verb and replace the document. */
  redirects?: RedirectChannel;
  /**
   * Hang up when the last document runs out of verbs (the default). A
   * whisper document run on a called party leaves it up for the bridge.
   */
  hangupAtEnd?: boolean;
  /** Told as each verb starts, with the URL of its document. */
  onVerb?: (verb: string, documentUrl: string) => void;
}

/** The signal a verb runs under: the call's hangup, and a redirect when there is a channel. */
function verbSignal(control: CallControl, redirects: RedirectChannel | undefined): AbortSignal {
  return redirects ? AbortSignal.any([control.hangupSignal, redirects.signal]) : control.hangupSignal;
}

/**
 * Runs a call's documents, TwiML style: fetch the first document, run its
 * verbs in order; an action or Redirect fetches a document that replaces
 * the current one; after the last verb the call ends (hung up here). A
 * caller's hangup (control.hangupSignal) stops the running verb and ends the
 * interpreter at once; a redirect pushed on opts.redirects stops the
 * running verb and runs the new document.
 */
export async function runInstructions(control: CallControl, first: DocumentSource, opts: RunOptions = {}): Promise<InterpreterResult> {
  const log = control.log;
  const hangup = control.hangupSignal;
  const { redirects } = opts;
  let request: DocumentSource | { fetched: FetchedDocument } | undefined = first;
  let documents = 0;
  let withoutMedia = 0;
  while (request) {
    if (hangup.aborted) return { end: 'caller-hangup', documents };
    const fetched = 'fetched' in request ? request.fetched : await control.fetchNext(request);
    documents++;
    if (hangup.aborted) return { end: 'caller-hangup', documents };
    request = redirects?.take();
    if (request) continue;
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
    for (const verb of document.verbs) {
      if (hangup.aborted) return { end: 'caller-hangup', documents };
      log.debug({ verb: verb.verb, url: fetched.url }, 'verb');
      opts.onVerb?.(verb.verb, fetched.url);
      const result = await executeVerb(verb, { control, log, signal: verbSignal(control, redirects) });
      if (hangup.aborted) return { end: 'caller-hangup', documents };
      // A redirect wins over whatever the interrupted verb wanted next.
      request = redirects?.take();
      if (request) {
        log.info({ verb: verb.verb }, 'redirected');
        break;
      }
      if (result.kind === 'end') return { end: result.reason, documents };
      if (result.kind === 'fetch') {
        request = result.request;
        break;
      }
      if (result.kind === 'run') {
        request = { fetched: result.fetched };
        break;
      }
    }
  }
  if (hangup.aborted) return { end: 'caller-hangup', documents };
  // RFC 3261 15: the engine ends the dialog with BYE after the last verb.
  if (opts.hangupAtEnd !== false) await control.hangup();
  return { end: 'document-ended', documents };
}
