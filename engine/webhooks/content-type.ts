/**
 * Which responses hold instructions. Accepted: text/xml, application/xml and
 * any +xml type; text/html too, since Twilio reads it as TwiML and many
 * frameworks send it by default. A response without Content-Type is accepted
 * when its body starts like XML. Anything else (text/plain and JSON included)
 * is error 12300: Twilio would speak a text/plain body aloud, which this engine
 * does not do, so the application's fallback takes over instead.
 */
const XML_TYPES = new Set(['text/xml', 'application/xml', 'text/html']);

export function isInstructionsContentType(mediaType: string | undefined, body: string): boolean {
  if (mediaType === undefined) return body.replace(/^\uFEFF/, '').trimStart().startsWith('<');
  return XML_TYPES.has(mediaType) || mediaType.endsWith('+xml');
}

/** Decodes a body in its declared charset, UTF-8 when none is declared or it is unknown. */
export function decodeBody(body: Buffer, charset: string | undefined): string {
  if (charset !== undefined) {
    try {
      return new TextDecoder(charset).decode(body);
    } catch {
      // an unknown label: read it as UTF-8
    }
  }
  return new TextDecoder('utf-8').decode(body);
}
