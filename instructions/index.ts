export { parseInstructions, MAX_DOCUMENT_BYTES, type InstructionDocument, type ParseOptions } from './parse.js';
export {
  InstructionError,
  DOCUMENT_PARSE_FAILURE,
  SCHEMA_VALIDATION_FAILURE,
  type InstructionErrorCode,
  type InstructionWarning,
} from './errors.js';
export type { HttpMethod } from './attributes.js';
export type { Verb, VerbName } from './verbs/index.js';
export { SAY_DEFAULTS, type SayVerb } from './verbs/say.js';
export { PLAY_DEFAULTS, type PlayVerb } from './verbs/play.js';
export { PAUSE_DEFAULTS, type PauseVerb } from './verbs/pause.js';
export { GATHER_DEFAULTS, type GatherVerb, type GatherInput, type GatherPrompt } from './verbs/gather.js';
export { RECORD_DEFAULTS, type RecordVerb, type RecordTrim, type RecordingEvent } from './verbs/record.js';
export type { HangupVerb } from './verbs/hangup.js';
export type { RejectVerb, RejectReason } from './verbs/reject.js';
export type { RedirectVerb } from './verbs/redirect.js';
export { DIAL_DEFAULTS, type DialVerb, type DialRecordMode } from './verbs/dial.js';
export type {
  DialNoun,
  NumberNoun,
  SipNoun,
  ClientNoun,
  ConferenceNoun,
  QueueNoun,
  CallProgressEvent,
} from './verbs/dial-nouns.js';
export type { EnqueueVerb } from './verbs/enqueue.js';
export type { LeaveVerb } from './verbs/leave.js';
export type { ConnectVerb, StreamNoun, StreamTrack } from './verbs/connect.js';
export type { ReferVerb, ReferSipNoun } from './verbs/refer.js';
