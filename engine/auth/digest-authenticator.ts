import type { DigestAlgorithmName } from '../../config/sip-users.js';
import { DIGEST_HEX_LENGTH, digestHash, expectedResponse, ha1Of, sameDigest } from './digest-hash.js';
import { DigestHeaderError, parseCredentials, quote, type Credentials } from './digest-header.js';
import { LocalNonceCounts, NonceCounts, type NonceCountStore } from './nonce-counts.js';
import { NonceIssuer } from './nonce.js';

/** What the authenticator needs to know of a user: a password, or precomputed H(A1) per algorithm. */
export interface UserSecrets {
  password?: string;
  /** MD5(username:realm:password), hex. */
  ha1?: string;
  /** SHA-256(username:realm:password), hex. */
  ha1Sha256?: string;
}

export interface DigestOptions {
  realm: string;
  /** Offered in this order, one challenge each. */
  algorithms: readonly DigestAlgorithmName[];
  nonceTtlSeconds: number;
  /** Nonces whose nonce-count is tracked; the least recently used is evicted beyond it. */
  maxTrackedNonces?: number;
  /** Where nonce-counts are checked instead of in this process (a cluster's shared store). */
  nonceCounts?: NonceCountStore;
  /** The key nonces are signed with, shared by the engines of a cluster; a new one per process by default. */
  nonceSecret?: Buffer;
  now?: () => number;
}

/** The request being authenticated. */
export interface DigestRequest {
  method: string;
  /** The Authorization (or Proxy-Authorization) header value, if any. */
  authorization: string | undefined;
}

export type DigestOutcome =
  /** The request carries valid credentials of `username`. */
  | { kind: 'ok'; username: string; algorithm: DigestAlgorithmName }
  /** Send a challenge (401/407); `stale` when only the nonce was too old (RFC 7616 §3.3). */
  | { kind: 'challenge'; stale: boolean; why: string }
  /** 400 Bad Request with this reason. */
  | { kind: 'bad-request'; reason: string }
  /** 403 Forbidden: unknown user or wrong password (the two are not told apart). */
  | { kind: 'forbidden'; username: string; why: string };

const ALGORITHM_NAMES = new Map<string, DigestAlgorithmName>([
  ['md5', 'MD5'],
  ['sha-256', 'SHA-256'],
]);

/** A placeholder H(A1) so that an unknown user costs the same hashing as a known one. */
const NOBODY_SECRET = 'no such user';

/**
 * HTTP Digest authentication for SIP (RFC 3261 §22.4) with the MD5 (RFC 2617)
 * and SHA-256 (RFC 7616) algorithms and qop=auth. A client that sends no qop
 * is accepted with MD5 only (RFC 2069 style), and then each nonce serves one
 * request: without a nonce-count, using a nonce up is the only protection
 * against a replayed response.
 */
export class DigestAuthenticator {
  readonly realm: string;
  private readonly algorithms: readonly DigestAlgorithmName[];
  private readonly nonces: NonceIssuer;
  private readonly counts: NonceCountStore;
  private readonly now: () => number;
  private readonly ttlMs: number;

  constructor(opts: DigestOptions) {
    this.realm = opts.realm;
    this.algorithms = opts.algorithms;
    this.now = opts.now ?? Date.now;
    this.ttlMs = opts.nonceTtlSeconds * 1000;
    this.nonces = new NonceIssuer(this.ttlMs, this.now, opts.nonceSecret);
    this.counts = opts.nonceCounts ?? new LocalNonceCounts(new NonceCounts(opts.maxTrackedNonces ?? 10_000));
  }

  /**
   * The challenge header values, one per algorithm, SHA-256 first as
   * configured (RFC 7616 §3.7: the server lists its preferred algorithm first).
   */
  challenges(stale = false): string[] {
    const nonce = this.nonces.issue();
    return this.algorithms.map(
      (algorithm) => `Digest realm=${quote(this.realm)}, nonce=${quote(nonce)}, algorithm=${algorithm}, qop="auth"${stale ? ', stale=true' : ''}`,
    );
  }

  /** Nonces whose nonce-count is tracked now (bounded by maxTrackedNonces). */
  get trackedNonces(): number {
    return this.counts.size;
  }

  /** Forgets the counts of nonces that are stale anyway. */
  sweep(): void {
    this.counts.dropIssuedBefore(this.now() - this.ttlMs);
  }

  async authenticate(req: DigestRequest, secretsOf: (username: string) => UserSecrets | undefined): Promise<DigestOutcome> {
    if (req.authorization === undefined || req.authorization.trim() === '') return { kind: 'challenge', stale: false, why: 'no credentials' };
    let all: Credentials[];
    try {
      all = parseCredentials(req.authorization);
    } catch (err) {
      return { kind: 'bad-request', reason: `malformed credentials: ${(err as DigestHeaderError).message}` };
    }
    const digest = all.filter((c) => c.scheme.toLowerCase() === 'digest');
    if (digest.length === 0) return { kind: 'bad-request', reason: `unsupported auth scheme ${all[0]?.scheme ?? ''}`.trim() };
    // RFC 3261 §22.3: credentials for other realms may be present (an upstream proxy's, or a phone's from
    // before a realm change) and are not ours to judge; ours are the ones with our realm, and without any
    // the request has no credentials for us: challenge.
    const creds = digest.find((c) => c.params.get('realm') === this.realm);
    if (!creds) return { kind: 'challenge', stale: false, why: 'no credentials for this realm' };
    const p = creds.params;
    for (const name of ['username', 'realm', 'nonce', 'uri', 'response']) {
      if (!p.has(name)) return { kind: 'bad-request', reason: `credentials without ${name}` };
    }
    const username = p.get('username') as string;
    const nonce = p.get('nonce') as string;
    const uri = p.get('uri') as string;
    const response = p.get('response') as string;
    const algorithm = ALGORITHM_NAMES.get((p.get('algorithm') ?? 'MD5').toLowerCase());
    if (algorithm === undefined || !this.algorithms.includes(algorithm)) {
      return { kind: 'bad-request', reason: `unsupported algorithm ${(p.get('algorithm') ?? '').slice(0, 32)}` };
    }
    const qop = p.get('qop');
    let qopFields: { nc: string; cnonce: string } | undefined;
    let nc = 0;
    if (qop !== undefined) {
      if (qop.toLowerCase() !== 'auth') return { kind: 'bad-request', reason: `unsupported qop ${qop.slice(0, 32)}` };
      const ncText = p.get('nc');
      const cnonce = p.get('cnonce');
      if (ncText === undefined || !/^[0-9a-fA-F]{8}$/.test(ncText)) return { kind: 'bad-request', reason: 'qop=auth without a valid nc' };
      if (cnonce === undefined || cnonce === '') return { kind: 'bad-request', reason: 'qop=auth without cnonce' };
      nc = Number.parseInt(ncText, 16);
      if (nc === 0) return { kind: 'bad-request', reason: 'nc must start at 00000001' };
      qopFields = { nc: ncText, cnonce };
    } else if (algorithm !== 'MD5') {
      // RFC 7616 §3.4: qop is mandatory with the algorithms it defines.
      return { kind: 'bad-request', reason: `qop is required with ${algorithm}` };
    }
    if (!new RegExp(`^[0-9a-fA-F]{${DIGEST_HEX_LENGTH[algorithm]}}$`).test(response)) {
      return { kind: 'bad-request', reason: `response is not a ${algorithm} digest` };
    }

    const secrets = secretsOf(username);
    const ha1 = secrets ? ha1For(algorithm, username, this.realm, secrets) : undefined;
    const expected = expectedResponse({ algorithm, ha1: ha1 ?? digestHash(algorithm, NOBODY_SECRET), method: req.method, uri, nonce, qop: qopFields });
    const matches = sameDigest(expected, response);

    const nonceState = this.nonces.check(nonce);
    if (nonceState.kind !== 'valid') {
      // RFC 7616 §3.3 (RFC 2617 §3.2.1): stale=true when the digest is right for that nonce, so the client
      // retries with the fresh nonce without taking the 401 as a refused password. A nonce from before a
      // restart is unknown here, yet a phone that reuses it still holds the right password.
      const knowsPassword = ha1 !== undefined && matches;
      return { kind: 'challenge', stale: knowsPassword, why: nonceState.kind === 'stale' ? 'nonce expired' : 'nonce not issued here' };
    }
    if (!secrets) return { kind: 'forbidden', username, why: 'unknown user' };
    if (ha1 === undefined) return { kind: 'forbidden', username, why: `no ${algorithm} secret for this user` };
    if (!matches) return { kind: 'forbidden', username, why: 'wrong password' };

    // Only a correct response counts against the nonce, so a stranger cannot use up a user's nonce.
    const use = await this.counts.use(nonce, nonceState.issuedAt, nc, this.nonces.expiresAt(nonceState.issuedAt));
    // A replay (or a request that lost a race for its nonce) carries a right digest: stale=true (RFC 7616 §3.3),
    // so the client retries with the fresh nonce instead of giving up on its password.
    if (use === 'replay') return { kind: 'challenge', stale: true, why: qop === undefined ? 'nonce already used' : `nonce-count ${nc} not above the last one` };
    if (use === 'evicted') return { kind: 'challenge', stale: true, why: 'nonce history evicted' };
    return { kind: 'ok', username, algorithm };
  }
}

function ha1For(algorithm: DigestAlgorithmName, username: string, realm: string, s: UserSecrets): string | undefined {
  if (s.password !== undefined) return ha1Of(algorithm, username, realm, s.password);
  return algorithm === 'MD5' ? s.ha1 : s.ha1Sha256;
}
