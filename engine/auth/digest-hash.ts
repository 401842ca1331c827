import { createHash, timingSafeEqual } from 'node:crypto';
import type { DigestAlgorithmName } from '../../config/sip-users.js';

/**
 * The digest computations of RFC 2617 §3.2.2 (MD5) and RFC 7616 §3.4
 * (SHA-256), for qop=auth and for a client that sends no qop (RFC 2069).
 */

const NODE_HASH: Record<DigestAlgorithmName, string> = { MD5: 'md5', 'SHA-256': 'sha256' };

/** Lower-case hex digest length of each algorithm. */
export const DIGEST_HEX_LENGTH: Record<DigestAlgorithmName, number> = { MD5: 32, 'SHA-256': 64 };

export function digestHash(algorithm: DigestAlgorithmName, data: string): string {
  return createHash(NODE_HASH[algorithm]).update(data, 'utf8').digest('hex');
}

/** RFC 7616 §3.4.2: A1 = username ":" realm ":" passwd, hashed. */
export function ha1Of(algorithm: DigestAlgorithmName, username: string, realm: string, password: string): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`);
}

export interface DigestInput {
  algorithm: DigestAlgorithmName;
  ha1: string;
  method: string;
  uri: string;
  nonce: string;
  /** With qop=auth: nc and cnonce too. */
  qop?: { nc: string; cnonce: string };
}

/**
 * RFC 7616 §3.4.1 (qop=auth): response = H(H(A1):nonce:nc:cnonce:qop:H(A2));
 * RFC 2069 (no qop): response = H(H(A1):nonce:H(A2)); A2 = method ":" uri (§3.4.3).
 */
export function expectedResponse(input: DigestInput): string {
  const ha2 = digestHash(input.algorithm, `${input.method}:${input.uri}`);
  const ha1 = input.ha1.toLowerCase();
  const data = input.qop ? `${ha1}:${input.nonce}:${input.qop.nc}:${input.qop.cnonce}:auth:${ha2}` : `${ha1}:${input.nonce}:${ha2}`;
  return digestHash(input.algorithm, data);
}

/** Compares two hex digests in constant time (for equal lengths). */
export function sameDigest(expected: string, given: string): boolean {
  const a = Buffer.from(expected.toLowerCase(), 'latin1');
  const b = Buffer.from(given.toLowerCase(), 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}
