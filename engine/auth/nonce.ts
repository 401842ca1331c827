import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Stateless, unforgeable nonces (RFC 7616 §3.3 suggests a timestamp and a
 * private key): base64url of an 8-byte issue time in ms, 8 random bytes, and
 * the first 16 bytes of HMAC-SHA256(secret, time || random). The secret lives
 * only in this process, so a nonce from an earlier run is simply unknown.
 */

const TIME_BYTES = 8;
const RANDOM_BYTES = 8;
const MAC_BYTES = 16;
const TOTAL = TIME_BYTES + RANDOM_BYTES + MAC_BYTES;

export type NonceCheck = { kind: 'valid'; issuedAt: number } | { kind: 'stale'; issuedAt: number } | { kind: 'unknown' };

export class NonceIssuer {
  private readonly secret: Buffer;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    secret?: Buffer,
  ) {
    this.secret = secret ?? randomBytes(32);
  }

  issue(): string {
    const body = Buffer.alloc(TIME_BYTES + RANDOM_BYTES);
    body.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.now()))), 0);
    randomBytes(RANDOM_BYTES).copy(body, TIME_BYTES);
    return Buffer.concat([body, this.mac(body)]).toString('base64url');
  }

  /** Whether we issued `nonce`, and whether it is still within its time to live. */
  check(nonce: string): NonceCheck {
    if (nonce.length > 64 || !/^[A-Za-z0-9_-]+$/.test(nonce)) return { kind: 'unknown' };
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== TOTAL) return { kind: 'unknown' };
    const body = raw.subarray(0, TIME_BYTES + RANDOM_BYTES);
    if (!timingSafeEqual(raw.subarray(TIME_BYTES + RANDOM_BYTES), this.mac(body))) return { kind: 'unknown' };
    const issuedAt = Number(body.readBigUInt64BE(0));
    const age = this.now() - issuedAt;
    // A nonce from the future (clock stepped back) is treated like an old one.
    if (age > this.ttlMs || age < -1000) return { kind: 'stale', issuedAt };
    return { kind: 'valid', issuedAt };
  }

  /** The time after which a nonce issued at `issuedAt` is stale. */
  expiresAt(issuedAt: number): number {
    return issuedAt + this.ttlMs;
  }

  private mac(body: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(body).digest().subarray(0, MAC_BYTES);
  }
}
