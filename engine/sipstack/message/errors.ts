/** A SIP message, header or URI that does not follow the RFC 3261 §25 grammar. */
export class SipParseError extends Error {
  override readonly name = 'SipParseError';
}
