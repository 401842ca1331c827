import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { DigestAuthenticator } from '../../engine/auth/digest-authenticator.js';
import { expectedResponse, ha1Of } from '../../engine/auth/digest-hash.js';
import { NonceCounts } from '../../engine/auth/nonce-counts.js';
import { NonceIssuer } from '../../engine/auth/nonce.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('digest computations', () => {
  it('give the responses of RFC 7616 §3.9.1 (MD5 and SHA-256)', () => {
    const base = {
      method: 'GET',
      uri: '/dir/index.html',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      qop: { nc: '00000001', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' },
    };
    const realm = 'http-auth@example.org';
    expect(expectedResponse({ ...base, algorithm: 'MD5', ha1: ha1Of('MD5', 'Mufasa', realm, 'Circle of Life') })).toBe('8ca523f5e9506fed4657c9700eebdbec');
    expect(expectedResponse({ ...base, algorithm: 'SHA-256', ha1: ha1Of('SHA-256', 'Mufasa', realm, 'Circle of Life') })).toBe(
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
  });

  it('give the response of RFC 2617 §3.5', () => {
    const ha1 = ha1Of('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life');
    const response = expectedResponse({ algorithm: 'MD5', ha1, method: 'GET', uri: '/dir/index.html', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', qop: { nc: '00000001', cnonce: '0a4f113b' } });
    expect(response).toBe('6629fae49393a05397450978507c4ef1');
  });
});

describe('NonceIssuer', () => {
  it('accepts its own nonces, calls old ones stale, and knows no forged or foreign ones', () => {
    let now = 1_000_000;
    const issuer = new NonceIssuer(300_000, () => now);
    const nonce = issuer.issue();
    expect(issuer.check(nonce)).toEqual({ kind: 'valid', issuedAt: 1_000_000 });
    now += 300_001;
    expect(issuer.check(nonce).kind).toBe('stale');
    const raw = Buffer.from(nonce, 'base64url');
    raw.writeBigUInt64BE(BigInt(now), 0); // a fresher time with the old MAC
    expect(issuer.check(raw.toString('base64url')).kind).toBe('unknown');
    expect(new NonceIssuer(300_000, () => now).check(issuer.issue()).kind).toBe('unknown');
    expect(issuer.check('not a nonce').kind).toBe('unknown');
  });
});

describe('NonceCounts', () => {
  it('keeps at most `capacity` nonces and treats an evicted one as stale, never as new', () => {
    const counts = new NonceCounts(100);
    for (let i = 0; i < 5000; i++) expect(counts.use(`n${i}`, i, 1)).toBe('fresh');
    expect(counts.size).toBe(100);
    expect(counts.evicted).toBe(4900);
    // n0 was used, then evicted: using it again must not pass as fresh.
    expect(counts.use('n0', 0, 1)).toBe('evicted');
    expect(counts.use('n4999', 4999, 1)).toBe('replay');
    expect(counts.use('n4999', 4999, 2)).toBe('fresh');
    // A nonce issued after everything evicted is new.
    expect(counts.use('later', 6000, 1)).toBe('fresh');
  });
});

describe('DigestAuthenticator', () => {
  const users = new Map([
    ['alice', { password: 'pw' }],
    ['hashed', { ha1: md5('hashed:dialtone:secret'), ha1Sha256: sha256('hashed:dialtone:secret') }],
  ]);
  const secretsOf = (u: string): { password?: string; ha1?: string; ha1Sha256?: string } | undefined => users.get(u);
  const nonceOf = (challenge: string): string => /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';

  function authorization(username: string, password: string, nonce: string, algorithm: 'MD5' | 'SHA-256', nc: number): string {
    const h = algorithm === 'MD5' ? md5 : sha256;
    const ha1 = h(`${username}:dialtone:${password}`);
    const ha2 = h('REGISTER:sip:registrar');
    const ncHex = nc.toString(16).padStart(8, '0');
    const response = h(`${ha1}:${nonce}:${ncHex}:cn:auth:${ha2}`);
    return `Digest username="${username}", realm="dialtone", nonce="${nonce}", uri="sip:registrar", response="${response}", algorithm=${algorithm}, qop=auth, nc=${ncHex}, cnonce="cn"`;
  }

  it('checks passwords and precomputed ha1 / ha1Sha256 alike', async () => {
    const auth = new DigestAuthenticator({ realm: 'dialtone', algorithms: ['SHA-256', 'MD5'], nonceTtlSeconds: 60 });
    const [sha, md] = auth.challenges();
    expect(sha).toMatch(/^Digest realm="dialtone", nonce="[^"]+", algorithm=SHA-256, qop="auth"$/);
    expect(md).toMatch(/algorithm=MD5/);
    const nonce = nonceOf(sha ?? '');
    const check = async (header: string): Promise<string> => (await auth.authenticate({ method: 'REGISTER', authorization: header }, secretsOf)).kind;
    expect(await check(authorization('alice', 'pw', nonce, 'SHA-256', 1))).toBe('ok');
    // The nonce-count belongs to the nonce: each request on it counts up.
    expect(await check(authorization('hashed', 'secret', nonce, 'SHA-256', 2))).toBe('ok');
    expect(await check(authorization('hashed', 'secret', nonce, 'MD5', 3))).toBe('ok');
    expect(await check(authorization('hashed', 'secret', nonce, 'MD5', 3))).toBe('challenge');
    expect(await check(authorization('alice', 'nope', nonce, 'MD5', 4))).toBe('forbidden');
    expect(await check(authorization('nobody', 'pw', nonce, 'MD5', 4))).toBe('forbidden');
  });

  it('keeps its replay map bounded under a flood of valid requests with fresh nonces', async () => {
    const auth = new DigestAuthenticator({ realm: 'dialtone', algorithms: ['MD5'], nonceTtlSeconds: 60, maxTrackedNonces: 50 });
    const used: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const nonce = nonceOf(auth.challenges()[0] ?? '');
      used.push(nonce);
      expect((await auth.authenticate({ method: 'REGISTER', authorization: authorization('alice', 'pw', nonce, 'MD5', 1) }, secretsOf)).kind).toBe('ok');
    }
    expect(auth.trackedNonces).toBe(50);
    // The first nonce's history was evicted: replaying its request is challenged (stale), not accepted.
    const replay = await auth.authenticate({ method: 'REGISTER', authorization: authorization('alice', 'pw', used[0] ?? '', 'MD5', 1) }, secretsOf);
    expect(replay).toMatchObject({ kind: 'challenge', stale: true });
  });
});
