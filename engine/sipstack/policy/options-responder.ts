import { createResponse } from '../message/response.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import { compileValuePattern, firstMatch, type ValueMatcher } from './value-pattern.js';

/** Methods the server, with its applications, takes (listed in Allow, RFC 3261 §20.5). */
export const ALLOWED_METHODS = [
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'INFO', 'UPDATE', 'PRACK', 'REFER', 'NOTIFY', 'SUBSCRIBE', 'MESSAGE', 'REGISTER',
];

/**
 * OPTIONS keep-alives (drachtio-server's user-agent-options-auto-respond):
 * a trunk that pings with OPTIONS gets 200 OK from the server itself when
 * its User-Agent is one of the configured ones, so no application has to
 * answer pings. Counts what it answered.
 */
export class OptionsResponder {
  private readonly patterns: Array<{ text: string; test: ValueMatcher }>;
  answered = 0;

  constructor(
    userAgents: string[],
    private readonly serverHeader: string,
    private readonly supported: readonly string[],
  ) {
    this.patterns = userAgents.map((text) => ({ text, test: compileValuePattern(text) }));
  }

  /** Does the server answer this request itself? */
  wants(req: SipRequest): boolean {
    if (req.method !== 'OPTIONS' || this.patterns.length === 0) return false;
    const ua = req.headers.get('user-agent');
    return ua !== undefined && firstMatch(this.patterns, ua) !== undefined;
  }

  /**
   * RFC 3261 §11.2: the 200 to an OPTIONS "SHOULD" carry Allow, Accept,
   * Accept-Encoding, Accept-Language and Supported, describing what an
   * INVITE would get.
   */
  answer(req: SipRequest): SipResponse {
    this.answered++;
    const res = createResponse(req, 200);
    res.headers.append('Allow', ALLOWED_METHODS.join(', '));
    res.headers.append('Accept', 'application/sdp');
    res.headers.append('Accept-Encoding', 'identity');
    res.headers.append('Accept-Language', 'en');
    res.headers.append('Supported', this.supported.join(', '));
    if (this.serverHeader) res.headers.append('Server', this.serverHeader);
    return res;
  }
}
