export {
  AnswerError,
  type CallControl,
  type ConferenceJoinOutcome,
  type DequeueOutcome,
  type DequeueRequest,
  type EnqueueOutcome,
  type EnqueueRequest,
  type ConferenceJoinRequest,
  type DialAttempt,
  type DialLeg,
  type DialLegRequest,
  type DialLegStatus,
  type DocumentSource,
  type InlineDocument,
  isInlineDocument,
  type NextDocumentRequest,
  type NextDocumentOutcome,
  type Notification,
  type RecordingTarget,
  type ReferSendOutcome,
  type ReferSendRequest,
  type ReferredCallStatus,
} from './call-control.js';
export { runInstructions, APPLICATION_ERROR_TEXT, MAX_DOCUMENTS_WITHOUT_MEDIA, type InterpreterEnd, type InterpreterResult } from './interpreter.js';
export type { VerbResult, EndOfCall, VerbContext } from './verb-executor.js';
export { RedirectChannel } from './redirect-channel.js';
