import type { ParseContext } from '../context.js';
import type { XmlElement } from '../xml-tree.js';
import { parseConnect, type ConnectVerb } from './connect.js';
import { parseDial, type DialVerb } from './dial.js';
import { parseEnqueue, type EnqueueVerb } from './enqueue.js';
import { parseGather, type GatherVerb } from './gather.js';
import { parseHangup, type HangupVerb } from './hangup.js';
import { parseLeave, type LeaveVerb } from './leave.js';
import { parsePause, type PauseVerb } from './pause.js';
import { parsePlay, type PlayVerb } from './play.js';
import { parseRecord, type RecordVerb } from './record.js';
import { parseRedirect, type RedirectVerb } from './redirect.js';
import { parseRefer, type ReferVerb } from './refer.js';
import { parseReject, type RejectVerb } from './reject.js';
import { parseSay, type SayVerb } from './say.js';

/** A verb as plain data; which one it is reads from `verb`. */
export type Verb =
  | SayVerb
  | PlayVerb
  | PauseVerb
  | GatherVerb
  | RecordVerb
  | HangupVerb
  | RejectVerb
  | RedirectVerb
  | DialVerb
  | EnqueueVerb
  | LeaveVerb
  | ConnectVerb
  | ReferVerb;

export type VerbName = Verb['verb'];

type VerbParser = (el: XmlElement, ctx: ParseContext) => Verb;

/** Every verb allowed directly inside <Response>. */
export const VERB_PARSERS: Readonly<Record<VerbName, VerbParser>> = {
  Say: parseSay,
  Play: parsePlay,
  Pause: parsePause,
  Gather: parseGather,
  Record: parseRecord,
  Hangup: parseHangup,
  Reject: parseReject,
  Redirect: parseRedirect,
  Dial: parseDial,
  Enqueue: parseEnqueue,
  Leave: parseLeave,
  Connect: parseConnect,
  Refer: parseRefer,
};

export function isVerbName(name: string): name is VerbName {
  return Object.prototype.hasOwnProperty.call(VERB_PARSERS, name);
}
