import type { RedirectVerb } from '../../verbs/redirect.js';
import type { VerbExecutor } from '../verb-executor.js';

/** <Redirect>: the document at `url` (already absolute) replaces this one; an unanswered call stays unanswered. */
export const executeRedirect: VerbExecutor<RedirectVerb> = (verb) =>
  Promise.resolve({ kind: 'fetch', request: { url: verb.url, method: verb.method } });
