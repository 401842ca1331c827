/**
 * Errors and warnings raised while reading an instructions document.
 *
 * Codes follow Twilio's error catalogue so that logs and the ErrorCode sent to
 * a fallback URL mean the same thing to an application written for Twilio:
 * 12100 "Document parse failure" (not XML, wrong root) and 12200 "Schema
 * validation warning" (unknown verb or noun, bad attribute value, misplaced
 * element or text).
 */
export const DOCUMENT_PARSE_FAILURE = 12100;
export const SCHEMA_VALIDATION_FAILURE = 12200;

export type InstructionErrorCode = typeof DOCUMENT_PARSE_FAILURE | typeof SCHEMA_VALIDATION_FAILURE;

export interface InstructionErrorDetails {
  /** Element name, e.g. `Gather`. */
  element?: string;
  /** Attribute name when an attribute value is at fault. */
  attribute?: string;
  /** Location in the document, e.g. `/Response/Gather[1]/Say[2]`. */
  path?: string;
}

export class InstructionError extends Error {
  override readonly name = 'InstructionError';
  readonly code: InstructionErrorCode;
  readonly element?: string;
  readonly attribute?: string;
  readonly path?: string;

  constructor(code: InstructionErrorCode, message: string, details: InstructionErrorDetails = {}) {
    super(message);
    this.code = code;
    this.element = details.element;
    this.attribute = details.attribute;
    this.path = details.path;
  }
}

/** Something the document asked for that is ignored (Twilio ignores unknown attributes too). */
export interface InstructionWarning {
  message: string;
  element: string;
  attribute?: string;
  path: string;
}
