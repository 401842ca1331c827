/**
 * Parsing and formatting of drachtio wire-protocol payloads. A payload is a
 * `|`-separated leader line, optionally followed by CRLF and a raw SIP
 * message: `<msgId>|<type>|<tokens...>[\r\n<sip>]`.
 */

export interface WirePayload {
  msgId: string;
  type: string;
  /** The tokens after the type. */
  args: string[];
  /** The raw SIP message after the leader line, if any. */
  sip: string;
}

export function parseWirePayload(payload: string): WirePayload | null {
  const crlf = payload.indexOf('\r\n');
  const leader = crlf < 0 ? payload : payload.slice(0, crlf);
  const sip = crlf < 0 ? '' : payload.slice(crlf + 2);
  const tokens = leader.split('|');
  if (tokens.length < 2 || tokens[0] === '' || tokens[1] === '') return null;
  return { msgId: tokens[0], type: tokens[1], args: tokens.slice(2), sip };
}

/**
 * The description of a SIP message that precedes it on the wire (drachtio's
 * SipMsgData): who sent it (`network` or `application`), its size in bytes,
 * the transport, the far end's address and port, and a time stamp.
 */
export interface SipMeta {
  source: 'network' | 'application';
  bytes: number;
  protocol: string;
  address: string;
  port: number;
  time: string;
}

export function formatMeta(m: SipMeta): string {
  return `${m.source}|${m.bytes}|${m.protocol}|${m.address}|${m.port}|${m.time}`;
}

/** Time of day with microseconds, as drachtio stamps messages (HH:MM:SS.uuuuuu). */
export function wireTime(now: Date = new Date()): string {
  const iso = now.toISOString();
  return `${iso.slice(11, 19)}.${iso.slice(20, 23)}000`;
}
