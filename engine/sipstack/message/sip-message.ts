import { SipHeaders } from './headers.js';

export const SIP_VERSION = 'SIP/2.0';

/** A SIP request (RFC 3261 §7.1). The Request-URI is kept as text; parse it with parseUri. */
export class SipRequest {
  readonly kind = 'request' as const;
  constructor(
    public method: string,
    public uri: string,
    public headers: SipHeaders = new SipHeaders(),
    public body: Buffer = Buffer.alloc(0),
    public version: string = SIP_VERSION,
  ) {}
}

/** A SIP response (RFC 3261 §7.2). */
export class SipResponse {
  readonly kind = 'response' as const;
  constructor(
    public status: number,
    public reason: string,
    public headers: SipHeaders = new SipHeaders(),
    public body: Buffer = Buffer.alloc(0),
    public version: string = SIP_VERSION,
  ) {}
}

export type SipMessage = SipRequest | SipResponse;
