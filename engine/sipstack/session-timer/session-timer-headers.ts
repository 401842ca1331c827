import type { SipHeaders } from '../message/headers.js';

/** Who sends the refreshes (RFC 4028 §4): the UAC or the UAS of the transaction that negotiated them. */
export type Refresher = 'uac' | 'uas';

/** A Session-Expires header field (RFC 4028 §4). */
export interface SessionExpires {
  /** delta-seconds. */
  interval: number;
  refresher?: Refresher;
}

/** The largest delta-seconds value RFC 3261 §25.1 lets us rely on (2**32 - 1). */
const MAX_DELTA = 4_294_967_295;

/** Thrown for a Session-Expires or Min-SE that does not follow the grammar. */
export class SessionTimerHeaderError extends Error {}

/**
 * RFC 4028 §4: `Session-Expires = ("Session-Expires" / "x") HCOLON
 * delta-seconds *(SEMI se-params)`, `se-params = refresher-param /
 * generic-param`, `refresher-param = "refresher" EQUAL ("uas" / "uac")`.
 * undefined when the message has none; SessionTimerHeaderError when it is malformed.
 */
export function readSessionExpires(headers: SipHeaders): SessionExpires | undefined {
  const value = headers.get('session-expires');
  if (value === undefined) return undefined;
  const [deltaText = '', ...params] = value.split(';');
  const interval = parseDelta(deltaText, 'Session-Expires');
  let refresher: Refresher | undefined;
  for (const p of params) {
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    if (name !== 'refresher') continue;
    const v = eq < 0 ? '' : p.slice(eq + 1).trim().toLowerCase();
    if (v !== 'uac' && v !== 'uas') throw new SessionTimerHeaderError(`Session-Expires: bad refresher "${v}"`);
    refresher = v;
  }
  return { interval, refresher };
}

/** RFC 4028 §5: `Min-SE = "Min-SE" HCOLON delta-seconds *(SEMI generic-param)`. */
export function readMinSE(headers: SipHeaders): number | undefined {
  const value = headers.get('min-se');
  if (value === undefined) return undefined;
  return parseDelta(value.split(';')[0] ?? '', 'Min-SE');
}

/** The value written for a Session-Expires header. */
export function formatSessionExpires(se: SessionExpires): string {
  return se.refresher ? `${se.interval};refresher=${se.refresher}` : String(se.interval);
}

/** Whether an option tag is listed in Supported (or Require) of a message (RFC 3261 §20.37). */
export function listsOptionTag(headers: SipHeaders, header: 'supported' | 'require', tag: string): boolean {
  return headers.values(header).some((t) => t.trim().toLowerCase() === tag);
}

/** RFC 4028 §7.1 / §9: the peer says it understands session timers. */
export function supportsTimer(headers: SipHeaders): boolean {
  return listsOptionTag(headers, 'supported', 'timer') || listsOptionTag(headers, 'require', 'timer');
}

/** Adds an option tag to Supported or Require unless it is already there. */
export function addOptionTag(headers: SipHeaders, header: 'Supported' | 'Require', tag: string): void {
  if (listsOptionTag(headers, header.toLowerCase() as 'supported' | 'require', tag)) return;
  headers.append(header, tag);
}

function parseDelta(text: string, header: string): number {
  const t = text.trim();
  if (!/^\d{1,10}$/.test(t)) throw new SessionTimerHeaderError(`${header}: "${t}" is not delta-seconds`);
  return Math.min(Number(t), MAX_DELTA);
}
