import type { Logger } from 'pino';
import type { Verb } from '../verbs/index.js';
import type { CallControl, NextDocumentOutcome, NextDocumentRequest } from './call-control.js';

/** A document the verb fetched already (<Dial referUrl>): it replaces the current one without another request. */
export type FetchedDocument = Extract<NextDocumentOutcome, { document: unknown }>;

/** What happens after a verb: the next verb, a new document (to fetch, or fetched), or the end of the call. */
export type VerbResult =
  | { kind: 'next' }
  | { kind: 'fetch'; request: NextDocumentRequest }
  | { kind: 'run'; fetched: FetchedDocument }
  | { kind: 'end'; reason: EndOfCall };

export type EndOfCall = 'hangup-verb' | 'rejected' | 'caller-hangup' | 'answer-failed' | 'media-gone';

export interface VerbContext {
  control: CallControl;
  log: Logger;
  signal: AbortSignal;
}

export type VerbExecutor<V extends Verb> = (verb: V, ctx: VerbContext) => Promise<VerbResult>;

export const NEXT: VerbResult = { kind: 'next' };

export function end(reason: EndOfCall): VerbResult {
  return { kind: 'end', reason };
}
