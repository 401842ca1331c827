import type { Verb } from '../../verbs/index.js';
import { NEXT, type VerbExecutor } from '../verb-executor.js';

/**
 * Verbs that parse but are not run here: Connect (not yet), and Leave
 * outside a queue's wait document (where it means nothing).
 * Twilio logs a warning for a verb it cannot execute for the account and
 * moves on to the next verb; dialtone does the same.
 */
export const executeUnsupported: VerbExecutor<Verb> = (verb, ctx) => {
  ctx.log.warn({ verb: verb.verb }, `<${verb.verb}> is not supported yet and was skipped`);
  return Promise.resolve(NEXT);
};
