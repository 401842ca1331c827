import type { TransferHandler, TransferRequest } from '../../instructions/runtime/call-control.js';
import type { ReferDecider, ReferRequest } from './refer-handler.js';

/** `x-case-id` -> `X-Case-Id`: a header name as SipHeader_<Name> spells it. */
function headerName(lower: string): string {
  return lower.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
}

/**
 * What a <Dial referUrl> request carries of a REFER: SipHeader_Refer-To,
 * SipHeader_Referred-By (RFC 3892) when present, and every X- header, as
 * Twilio passes the custom headers of a SIP request.
 */
export function transferRequestOf(refer: ReferRequest): TransferRequest {
  const headers: Record<string, string> = { 'SipHeader_Refer-To': refer.referTo.value };
  for (const [name, value] of Object.entries(refer.msg.headers)) {
    if (name === 'referred-by' || name.startsWith('x-')) headers[`SipHeader_${headerName(name)}`] = value;
  }
  return { target: refer.referTo.uri, headers };
}

/**
 * The REFERs of a <Dial> leg (RFC 3515): the called party's transfer
 * request goes to the handler its <Dial> set while they are connected
 * (referUrl); without one it is declined with 603, as Twilio does when the
 * <Dial> has no referUrl (its error 13802).
 */
export class DialLegRefers {
  private handler: TransferHandler | undefined;

  set(handler: TransferHandler | undefined): void {
    this.handler = handler;
  }

  readonly decide: ReferDecider = (refer) => {
    const handler = this.handler;
    if (!handler) return { declined: 'the <Dial> that reached this party has no referUrl (or is not connected)' };
    return { outcome: handler(transferRequestOf(refer)) };
  };
}
