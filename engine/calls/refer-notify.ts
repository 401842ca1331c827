/**
 * Reading the NOTIFYs a REFER's subscription brings (RFC 3515 2.4.4-2.4.6):
 * which subscription a NOTIFY is for (Event), whether it goes on
 * (Subscription-State, RFC 6665 4.1.3), and the status of the referred
 * request (a message/sipfrag body, RFC 3420).
 */

/** The Event header of a refer NOTIFY: `refer`, with `id=<CSeq of the REFER>` for the later REFERs of a dialog. */
export interface ReferEvent {
  /** The event package, lower case. */
  pkg: string;
  id?: string;
}

export function parseEvent(value: string | undefined): ReferEvent {
  const [pkg = '', ...params] = (value ?? '').split(';');
  const id = params.map((p) => /^\s*id\s*=\s*(.+?)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
  return { pkg: pkg.trim().toLowerCase(), ...(id === undefined ? {} : { id }) };
}

export interface SubscriptionState {
  /** active and pending go on; terminated is the last NOTIFY (RFC 6665 4.1.3). */
  state: 'active' | 'pending' | 'terminated';
  /** Seconds the subscription still lasts, when told. */
  expires?: number;
  reason?: string;
}

/** A missing or unknown Subscription-State reads as active: the subscription goes on until told otherwise. */
export function parseSubscriptionState(value: string | undefined): SubscriptionState {
  const [head = '', ...params] = (value ?? '').split(';');
  const word = head.trim().toLowerCase();
  const state = word === 'terminated' || word === 'pending' ? word : 'active';
  const param = (name: string): string | undefined =>
    params.map((p) => p.split('=')).find(([n]) => n?.trim().toLowerCase() === name)?.[1]?.trim();
  const expires = Number.parseInt(param('expires') ?? '', 10);
  const reason = param('reason');
  return { state, ...(Number.isFinite(expires) && expires >= 0 ? { expires } : {}), ...(reason ? { reason } : {}) };
}

/** Whether a Content-Type names message/sipfrag (parameters such as version=2.0 aside). */
export function isSipfrag(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'message/sipfrag';
}

/**
 * The status code of a sipfrag whose first line is a SIP Status-Line
 * (RFC 3515 2.4.5: `SIP/2.0 200 OK`); undefined when it is anything else.
 */
export function sipfragStatus(body: string | undefined): number | undefined {
  const firstLine = (body ?? '').replace(/^(\r?\n)+/, '').split(/\r?\n/, 1)[0] ?? '';
  const m = /^SIP\/2\.0 ([1-6][0-9]{2})(?: [^\r\n]*)?$/.exec(firstLine.trimEnd());
  return m ? Number(m[1]) : undefined;
}
