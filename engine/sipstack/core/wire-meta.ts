import type { SipMessage } from '../message/sip-message.js';
import { serializeMessage } from '../message/serialize.js';
import type { HostPort, TransportProtocol } from '../transport/types.js';
import { wireTime, type SipMeta } from '../wire/wire-message.js';

/** A message as the application sees it: its text and the meta line describing it. */
export interface WireSip {
  text: string;
  meta: SipMeta;
}

export function describe(
  message: SipMessage,
  source: 'network' | 'application',
  protocol: TransportProtocol,
  remote: HostPort,
): WireSip {
  const bytes = serializeMessage(message);
  return {
    text: bytes.toString('utf8'),
    meta: { source, bytes: bytes.length, protocol, address: remote.address, port: remote.port, time: wireTime() },
  };
}

/** The data of an `OK` answer echoing a message the server sent for the application. */
export function sentEcho(w: WireSip, transactionId: string, dialogId?: string): string {
  const m = w.meta;
  const head = `${m.source}|${m.bytes}|${m.protocol}|${m.address}|${m.port}|${m.time}|${transactionId}`;
  return dialogId === undefined ? `${head}|Msg sent:` : `${head}|${dialogId}||Msg sent:`;
}
