/** Writing a SIP message to bytes (RFC 3261 §7). */
import { wireHeaderName, headerKey } from './header-names.js';
import { SIP_VERSION, type SipMessage } from './sip-message.js';

/**
 * start-line, the header fields in order as `Name: value`, a Content-Length
 * computed from the body (§20.14: it counts octets of the body), an empty
 * line, then the body. Any Content-Length the message held is replaced.
 */
export function serializeMessage(msg: SipMessage): Buffer {
  let head =
    msg.kind === 'request'
      ? `${msg.method} ${msg.uri} ${msg.version || SIP_VERSION}\r\n`
      : `${msg.version || SIP_VERSION} ${msg.status} ${msg.reason}\r\n`;
  for (const field of msg.headers) {
    if (headerKey(field.name) === 'content-length') continue;
    head += `${wireHeaderName(field.name)}: ${field.value}\r\n`;
  }
  head += `Content-Length: ${msg.body.length}\r\n\r\n`;
  if (msg.body.length === 0) return Buffer.from(head, 'utf8');
  const headLength = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headLength + msg.body.length);
  out.write(head, 0, 'utf8');
  msg.body.copy(out, headLength);
  return out;
}
