/**
 * The few header fields the transaction layer reads (top Via, CSeq, tags),
 * read defensively on top of the message parsers: a field that does not
 * parse gives undefined, never an exception, so a bad message can be
 * reported instead of crashing a caller.
 */
import { parseCSeq } from '../message/cseq.js';
import type { SipHeaders } from '../message/headers.js';
import { tagOf as nameAddrTag } from '../message/name-addr.js';
import { parseVia, viaBranch, type Via } from '../message/via.js';

export interface ViaFields extends Via {
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
  if (raw === undefined) return undefined;
  try {
    return { ...parseVia(raw), raw };
  } catch {
    return undefined;
  }
}

/** The branch parameter when it is an RFC 3261 branch (magic cookie plus something unique). */
export function rfc3261Branch(via: Via): string | undefined {
  const branch = viaBranch(via);
  if (!branch || !branch.startsWith(MAGIC_COOKIE) || branch.length === MAGIC_COOKIE.length) return undefined;
  return branch;
}

/** `sent-by` as compared by §17.2.3: host (lower case) and port as written. */
export function sentByKey(via: Via): string {
  return via.port === undefined ? via.host : `${via.host}:${via.port}`;
}

/** CSeq number and method (§20.16); undefined when missing or malformed. */
export function cseqOf(headers: SipHeaders): CSeqFields | undefined {
  const value = headers.get('cseq');
  if (value === undefined) return undefined;
  try {
    return parseCSeq(value);
  } catch {
    return undefined;
  }
}

/** The tag parameter of a From or To value, if any. */
export function tagOf(value: string | undefined): string | undefined {
  return value === undefined ? undefined : nameAddrTag(value);
}
