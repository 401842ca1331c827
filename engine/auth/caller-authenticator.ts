import type { DigestOutcome, DigestRequest } from './digest-authenticator.js';

/** Digest authentication of requests from SIP users (INVITE), as the call router asks for it. */
export interface CallerAuthenticator {
  /** Checks the request's credentials against the SIP users. */
  authenticate(req: DigestRequest): Promise<DigestOutcome>;
  /** Challenge header values, one per algorithm. */
  challenges(stale: boolean): string[];
}

/**
 * The header value for several challenges. drachtio-srf joins repeated
 * headers with a comma, which RFC 3261 §7.3.1 forbids for WWW-Authenticate
 * and Proxy-Authenticate; so the value carries the following header lines
 * itself, and each challenge goes out on a line of its own.
 */
export function challengeHeaderValue(name: 'WWW-Authenticate' | 'Proxy-Authenticate', challenges: readonly string[]): string {
  return challenges.join(`\r\n${name}: `);
}
