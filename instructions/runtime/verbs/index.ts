import type { Verb } from '../../verbs/index.js';
import type { VerbContext, VerbResult } from '../verb-executor.js';
import { executeDial } from './dial.js';
import { executeEnqueue } from './enqueue.js';
import { executeGather } from './gather.js';
import { executeHangup } from './hangup.js';
import { executePause } from './pause.js';
import { executePlay } from './play.js';
import { executeRecord } from './record.js';
import { executeRedirect } from './redirect.js';
import { executeRefer } from './refer.js';
import { executeReject } from './reject.js';
import { executeSay } from './say.js';
import { executeUnsupported } from './unsupported.js';

/** Runs one verb with its executor (one file per verb). */
export function executeVerb(verb: Verb, ctx: VerbContext): Promise<VerbResult> {
  switch (verb.verb) {
    case 'Say':
      return executeSay(verb, ctx);
    case 'Play':
      return executePlay(verb, ctx);
    case 'Pause':
      return executePause(verb, ctx);
    case 'Gather':
      return executeGather(verb, ctx);
    case 'Record':
      return executeRecord(verb, ctx);
    case 'Hangup':
      return executeHangup(verb, ctx);
    case 'Reject':
      return executeReject(verb, ctx);
    case 'Redirect':
      return executeRedirect(verb, ctx);
    case 'Dial':
      return executeDial(verb, ctx);
    case 'Enqueue':
      return executeEnqueue(verb, ctx);
    case 'Refer':
      return executeRefer(verb, ctx);
    default:
      return executeUnsupported(verb, ctx);
  }
}
