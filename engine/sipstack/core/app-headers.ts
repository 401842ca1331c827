import type { SipHeaders } from '../message/headers.js';
import { headerKey } from '../message/header-names.js';

/**
 * Headers the server owns: an application may not set them on a response
 * (they come from the request, RFC 3261 §8.2.6.2) or on an in-dialog request
 * (they come from the dialog, §12.2.1.1).
 */
const RESPONSE_OWNED = new Set(['via', 'from', 'call-id', 'cseq', 'content-length', 'to']);
const IN_DIALOG_OWNED = new Set(['via', 'from', 'to', 'call-id', 'cseq', 'content-length', 'route', 'max-forwards']);

/** Copies the application's headers onto a message the server built, skipping the ones it owns. */
export function mergeAppHeaders(into: SipHeaders, from: SipHeaders, owned: 'response' | 'in-dialog' | 'none'): void {
  const skip = owned === 'response' ? RESPONSE_OWNED : owned === 'in-dialog' ? IN_DIALOG_OWNED : undefined;
  const replaced = new Set<string>();
  for (const f of from) {
    const key = headerKey(f.name);
    if (skip?.has(key)) continue;
    if (!replaced.has(key)) {
      into.delete(f.name);
      replaced.add(key);
    }
    into.append(f.name, f.value);
  }
}

/**
 * drachtio-srf writes `sip:user@localhost` when the application does not know
 * the server's address (createUAC with callingNumber, for example); the
 * server puts its own address there, as drachtio-server does.
 */
export function replaceLocalhost(value: string, hostport: string): string {
  return value.replace(/(sips?:(?:[^@<>;]*@)?)localhost(?![\w.-])(:\d+)?/gi, (_m, prefix: string) => `${prefix}${hostport}`);
}

/**
 * Applications often hand over an SDP body without saying what it is
 * (drachtio-srf's createUAS/createUAC do); drachtio-server labels it, and so
 * does this server.
 */
export function labelBody(headers: SipHeaders, body: Buffer): void {
  if (body.length === 0) {
    headers.delete('content-type');
    return;
  }
  if (!headers.has('content-type') && body.toString('latin1', 0, 3) === 'v=0') {
    headers.append('Content-Type', 'application/sdp');
  }
}
