/**
 * The few header fields the transaction layer reads (top Via, CSeq, tags),
 * read defensively: a field that does not parse gives undefined, never an
 * exception, so a bad message can be reported instead of crashing a caller.
 */
import type { SipHeaders } from '../message/headers.js';

export interface ViaFields {
  /** e.g. UDP, TCP, TLS (upper case). */
  transport: string;
  /** Host of sent-by, lower case; IPv6 without brackets. */
  host: string;
  port?: number;
  params: Map<string, string | null>;
  /** The whole value as received, for RFC 2543 matching. */
  raw: string;
}

export interface CSeqFields {
  seq: number;
  method: string;
}

/** RFC 3261 §8.1.1.7: branches of RFC 3261 elements begin with this cookie. */
export const MAGIC_COOKIE = 'z9hG4bK';

/** The first Via value of a message, parsed; undefined when missing or malformed. */
export function topVia(headers: SipHeaders): ViaFields | undefined {
  const raw = headers.values('via')[0];
  return raw === undefined ? undefined : parseViaValue(raw);
}

/** Parses one Via value: `SIP/2.0/UDP host[:port] *(;param[=value])` (§20.42). */
export function parseViaValue(raw: string): ViaFields | undefined {
  const m = /^\s*SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z0-9.!%*_+`'~-]+)\s+([^;]+?)\s*((?:;.*)?)$/i.exec(raw);
  if (!m) return undefined;
  const sentBy = m[2];
  let host: string;
  let portText: string | undefined;
  if (sentBy.startsWith('[')) {
    const close = sentBy.indexOf(']');
    if (close < 0) return undefined;
    host = sentBy.slice(1, close);
    const rest = sentBy.slice(close + 1).trim();
    if (rest !== '') {
      if (!rest.startsWith(':')) return undefined;
      portText = rest.slice(1).trim();
    }
  } else {
    const colon = sentBy.indexOf(':');
    host = (colon < 0 ? sentBy : sentBy.slice(0, colon)).trim();
    if (colon >= 0) portText = sentBy.slice(colon + 1).trim();
  }
  if (host === '' || /\s/.test(host)) return undefined;
  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) return undefined;
    port = Number(portText);
    if (port > 65535) return undefined;
  }
  const params = new Map<string, string | null>();
  for (const part of m[3].split(';')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq < 0) params.set(p.toLowerCase(), null);
    else params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim());
  }
  return { transport: m[1].toUpperCase(), host: host.toLowerCase(), port, params, raw };
}

/** The branch parameter when it is an RFC 3261 branch (magic cookie plus something unique). */
export function rfc3261Branch(via: ViaFields): string | undefined {
  const branch = via.params.get('branch');
  if (!branch || !branch.startsWith(MAGIC_COOKIE) || branch.length === MAGIC_COOKIE.length) return undefined;
  return branch;
}

/** `sent-by` as compared by §17.2.3: host and port as written. */
export function sentByKey(via: ViaFields): string {
  return via.port === undefined ? via.host : `${via.host}:${via.port}`;
}

/** CSeq number and method (§20.16); undefined when malformed. */
export function cseqOf(headers: SipHeaders): CSeqFields | undefined {
  const value = headers.get('cseq');
  if (value === undefined) return undefined;
  const m = /^\s*(\d{1,10})\s+([A-Za-z0-9.!%*_+`'~-]+)\s*$/.exec(value);
  if (!m) return undefined;
  const seq = Number(m[1]);
  if (seq > 0xffffffff) return undefined;
  return { seq, method: m[2] };
}

/** The tag parameter of a From or To value (outside the angle brackets), if any. */
export function tagOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const close = value.lastIndexOf('>');
  const params = close >= 0 ? value.slice(close + 1) : value;
  const m = /;\s*tag\s*=\s*([^;\s,]+)/i.exec(params);
  return m ? m[1] : undefined;
}
