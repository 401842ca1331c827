export {
  AnswerError,
  type CallControl,
  type NextDocumentRequest,
  type NextDocumentOutcome,
  type Notification,
  type RecordingTarget,
} from './call-control.js';
export { runInstructions, APPLICATION_ERROR_TEXT, MAX_DOCUMENTS_WITHOUT_MEDIA, type InterpreterEnd, type InterpreterResult } from './interpreter.js';
export type { VerbResult, EndOfCall, VerbContext } from './verb-executor.js';
