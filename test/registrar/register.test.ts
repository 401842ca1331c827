/**
 * REGISTER against the whole engine over UDP (RFC 3261 §10.3, RFC 7616):
 * what a softphone sees on the wire, and what the registrar then holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { header, headers } from '../support/sip-wire-peer.js';
import { startRegistrar, type RegistrarHarness } from './helpers/registrar-harness.js';
import { challengesOf, digestAuthorization, SipClient } from './helpers/sip-client.js';

const ALICE = { username: 'alice', password: 'alice-secret' };

let h: RegistrarHarness;
const clients: SipClient[] = [];

async function client(): Promise<SipClient> {
  const c = await SipClient.open(h.sip);
  clients.push(c);
  return c;
}

function contactsIn(msg: { headers: Array<[string, string]> }): string[] {
  return headers(msg as never, 'contact').flatMap((v) => v.split(/,\s*(?=<)/));
}

beforeAll(async () => {
  h = await startRegistrar({
    users: [
      { username: 'alice', password: ALICE.password },
      { username: 'bob', password: 'bob-secret' },
      { username: 'carol', password: 'carol-secret' },
      { username: 'dave', password: 'dave-secret' },
      { username: 'erin', password: 'erin-secret' },
    ],
    registrar: { minExpires: 30, maxExpires: 600, defaultExpires: 300, nonceTtlSeconds: 1, maxBindingsPerUser: 3, algorithms: ['SHA-256', 'MD5'] },
  });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await h?.stop();
});

describe('REGISTER', () => {
  it('challenges with SHA-256 first, then MD5, each on its own WWW-Authenticate line', async () => {
    const c = await client();
    const res = await c.register({ username: 'alice', contact: `<sip:alice@${c.local.address}:${c.local.port}>` });
    expect(res.status).toBe(401);
    const lines = headers(res, 'www-authenticate');
    expect(lines).toHaveLength(2);
    const [sha, md5] = challengesOf(res);
    expect(sha).toMatchObject({ realm: 'dialtone', algorithm: 'SHA-256', qop: 'auth', stale: false });
    expect(md5).toMatchObject({ realm: 'dialtone', algorithm: 'MD5', qop: 'auth' });
    expect(sha?.nonce).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });

  it('registers with SHA-256: 200 OK lists the binding with its expires and a Date', async () => {
    const c = await client();
    const contact = `<sip:alice@${c.local.address}:${c.local.port};transport=udp>`;
    const { response } = await c.registerWithAuth({ ...ALICE, contact, expires: 120, algorithm: 'SHA-256', extra: ['User-Agent: test-phone/1.0'] });
    expect(response.status).toBe(200);
    expect(contactsIn(response)).toEqual([`<sip:alice@${c.local.address}:${c.local.port};transport=udp>;expires=120`]);
    const date = header(response, 'date') ?? '';
    expect(Math.abs(Date.parse(date) - Date.now())).toBeLessThan(5000);
    // A query (no Contact) lists the same binding.
    const { response: query } = await c.registerWithAuth({ ...ALICE });
    expect(query.status).toBe(200);
    expect(contactsIn(query)[0]).toMatch(/;expires=1[12]\d$/);
  });

  it('registers with MD5 and clamps an expiry above maxExpires', async () => {
    const c = await client();
    const { response } = await c.registerWithAuth({ username: 'bob', password: 'bob-secret', contact: `<sip:bob@${c.local.address}:${c.local.port}>`, expires: 99999 });
    expect(response.status).toBe(200);
    expect(contactsIn(response)).toEqual([`<sip:bob@${c.local.address}:${c.local.port}>;expires=600`]);
  });

  it('answers a wrong password with 403, and an unknown user with 403 after the same challenge', async () => {
    const c = await client();
    const wrong = await c.registerWithAuth({ username: 'alice', password: 'nope', contact: `<sip:alice@${c.local.address}:${c.local.port}>` });
    expect(wrong.response.status).toBe(403);
    const unknown = await c.registerWithAuth({ username: 'mallory', password: 'x', contact: `<sip:mallory@${c.local.address}:${c.local.port}>` });
    expect(unknown.challenge.status).toBe(401);
    expect(unknown.response.status).toBe(403);
    expect(unknown.response.startLine).toBe(wrong.response.startLine);
  });

  it('answers 420 Bad Extension to Require: path or outbound, which the registrar does not honour (§10.3 step 2, RFC 3327 §5.3)', async () => {
    const c = await client();
    const contact = `<sip:alice@${c.local.address}:${c.local.port}>`;
    // An edge proxy's REGISTER: it needs its Path kept, or calls to alice bypass it.
    const res = await c.register({ username: 'alice', contact, extra: ['Path: <sip:edge.example.com;lr>', 'Require: path, outbound'] });
    expect(res.status).toBe(420);
    expect(header(res, 'unsupported')).toBe('path, outbound');
    expect(headers(res, 'www-authenticate')).toEqual([]);
    // The same tags in Supported are no demand: challenged as usual.
    expect((await c.register({ username: 'alice', contact, extra: ['Supported: path, outbound'] })).status).toBe(401);
  });

  it('answers 423 Interval Too Brief with Min-Expires below minExpires', async () => {
    const c = await client();
    const { response } = await c.registerWithAuth({ username: 'carol', password: 'carol-secret', contact: `<sip:carol@${c.local.address}:${c.local.port}>`, expires: 5 });
    expect(response.status).toBe(423);
    expect(header(response, 'min-expires')).toBe('30');
  });

  it('keeps several contacts (two in one REGISTER, one from another device), removes one with expires=0 and all with *', async () => {
    const desk = await client();
    const mobile = await client();
    const a = `sip:carol@${desk.local.address}:${desk.local.port}`;
    const b = `sip:carol-2@${desk.local.address}:${desk.local.port}`;
    const m = `sip:carol@${mobile.local.address}:${mobile.local.port}`;
    const creds = { username: 'carol', password: 'carol-secret' };
    const first = await desk.registerWithAuth({ ...creds, contact: `<${a}>;expires=60, <${b}>`, expires: 90 });
    expect(first.response.status).toBe(200);
    expect(contactsIn(first.response).sort()).toEqual([`<${a}>;expires=60`, `<${b}>;expires=90`].sort());
    const second = await mobile.registerWithAuth({ ...creds, contact: `<${m}>`, expires: 120 });
    expect(contactsIn(second.response)).toHaveLength(3);
    expect(contactsIn(second.response)[0]).toBe(`<${m}>;expires=120`);
    // A fourth contact is one more than maxBindingsPerUser.
    const extra = await mobile.registerWithAuth({ ...creds, contact: `<sip:carol-4@${mobile.local.address}>`, expires: 120 });
    expect(extra.response.status).toBe(403);
    const removeOne = await desk.registerWithAuth({ ...creds, contact: `<${b}>;expires=0` });
    expect(contactsIn(removeOne.response).map((v) => v.split(';expires')[0]).sort()).toEqual([`<${a}>`, `<${m}>`].sort());
    const starBad = await desk.registerWithAuth({ ...creds, contact: '*', expires: 60 });
    expect(starBad.response.status).toBe(400);
    const star = await desk.registerWithAuth({ ...creds, contact: '*', expires: 0 });
    expect(star.response.status).toBe(200);
    expect(headers(star.response, 'contact')).toEqual([]);
  });

  it('matches contacts by URI equivalence (§19.1.4): a refresh written differently keeps one binding, and removes it', async () => {
    const c = await client();
    const creds = { username: 'erin', password: 'erin-secret' };
    const at = `${c.local.address}:${c.local.port}`;
    const first = await c.registerWithAuth({ ...creds, contact: `<sip:erin@${at};transport=udp>`, expires: 120 });
    expect(first.response.status).toBe(200);
    // Parameter case, order and an added parameter do not make a second device.
    const refresh = await c.registerWithAuth({ ...creds, contact: `<sip:erin@${at};ob;transport=UDP>`, expires: 90 });
    expect(contactsIn(refresh.response)).toEqual([`<sip:erin@${at};ob;transport=UDP>;expires=90`]);
    // The same contact listed twice in one REGISTER: the last listing counts.
    const twice = await c.registerWithAuth({ ...creds, contact: `<sip:erin@${at};transport=udp>;expires=200, <sip:erin@${at};TRANSPORT=udp>;expires=60` });
    expect(twice.response.status).toBe(200);
    expect(contactsIn(twice.response)).toEqual([`<sip:erin@${at};TRANSPORT=udp>;expires=60`]);
    // A different user part (case-sensitive), or a transport named in only one of them, is another contact.
    const noTransport = await c.registerWithAuth({ ...creds, contact: `<sip:erin@${at}>`, expires: 60 });
    expect(contactsIn(noTransport.response)).toHaveLength(2);
    const other = await c.registerWithAuth({ ...creds, contact: `<sip:Erin@${at}>`, expires: 60 });
    expect(contactsIn(other.response)).toHaveLength(3);
    const gone = await c.registerWithAuth({
      ...creds,
      contact: `<sip:erin@${at};transport=udp>;expires=0, <sip:erin@${at}>;expires=0, <sip:Erin@${at};lr>;expires=0`,
    });
    expect(gone.response.status).toBe(200);
    expect(headers(gone.response, 'contact')).toEqual([]);
  });

  it('refuses an out-of-order CSeq for the same Call-ID (§10.3 step 7) and keeps the binding', async () => {
    const c = await client();
    const contact = `<sip:dave@${c.local.address}:${c.local.port}>`;
    const creds = { username: 'dave', password: 'dave-secret' };
    const ok = await c.registerWithAuth({ ...creds, contact, expires: 200, cseq: 10 });
    expect(ok.response.status).toBe(200);
    const challenge = await c.register({ username: 'dave', contact, cseq: 11 });
    const used = challengesOf(challenge).find((x) => x.algorithm === 'MD5');
    if (!used) throw new Error('no MD5 challenge');
    const authorization = digestAuthorization({ ...creds, method: 'REGISTER', uri: c.registrarUri, challenge: used, algorithm: 'MD5' });
    const old = await c.register({ username: 'dave', contact, expires: 0, cseq: 5, authorization: authorization });
    expect(old.status).toBe(500);
    const still = await c.registerWithAuth({ ...creds, cseq: 20 });
    expect(contactsIn(still.response)).toHaveLength(1);
  });

  it('challenges a replayed nonce-count again, and an expired nonce with stale=true', async () => {
    const c = await client();
    const contact = `<sip:bob@${c.local.address}:${c.local.port}>`;
    const creds = { username: 'bob', password: 'bob-secret' };
    const first = await c.register({ username: 'bob', contact });
    const used = challengesOf(first).find((x) => x.algorithm === 'SHA-256');
    if (!used) throw new Error('no SHA-256 challenge');
    const auth1 = digestAuthorization({ ...creds, method: 'REGISTER', uri: c.registrarUri, challenge: used, algorithm: 'SHA-256', nc: 1, cnonce: 'abc' });
    expect((await c.register({ username: 'bob', contact, expires: 60, authorization: auth1 })).status).toBe(200);
    // The same nc again (a captured request sent once more): challenged, not accepted. The digest itself is
    // right, so the challenge says stale=true (RFC 7616 §3.3): only a fresh nonce helps, not a password.
    const replay = await c.register({ username: 'bob', contact, expires: 60, authorization: auth1 });
    expect(replay.status).toBe(401);
    expect(challengesOf(replay)[0]?.stale).toBe(true);
    // nc 2 on the same nonce is fine.
    const auth2 = digestAuthorization({ ...creds, method: 'REGISTER', uri: c.registrarUri, challenge: used, algorithm: 'SHA-256', nc: 2, cnonce: 'abd' });
    expect((await c.register({ username: 'bob', contact, expires: 60, authorization: auth2 })).status).toBe(200);
    // nonceTtlSeconds is 1: let the nonce age past it.
    await sleep(1100);
    const auth3 = digestAuthorization({ ...creds, method: 'REGISTER', uri: c.registrarUri, challenge: used, algorithm: 'SHA-256', nc: 3, cnonce: 'abe' });
    const stale = await c.register({ username: 'bob', contact, expires: 60, authorization: auth3 });
    expect(stale.status).toBe(401);
    expect(challengesOf(stale).map((x) => x.stale)).toEqual([true, true]);
  });

  it('re-challenges with stale=true a request that lost the race for its nonce (nc 3 arrived before nc 2)', async () => {
    const c = await client();
    const contact = `<sip:carol@${c.local.address}:${c.local.port}>`;
    const creds = { username: 'carol', password: 'carol-secret' };
    const first = await c.register({ username: 'carol', contact });
    const used = challengesOf(first).find((x) => x.algorithm === 'MD5');
    if (!used) throw new Error('no MD5 challenge');
    const withNc = (nc: number): string => digestAuthorization({ ...creds, method: 'REGISTER', uri: c.registrarUri, challenge: used, algorithm: 'MD5', nc, cnonce: `c${nc}` });
    expect((await c.register({ username: 'carol', contact, expires: 60, authorization: withNc(3) })).status).toBe(200);
    const late = await c.register({ username: 'carol', contact, expires: 60, authorization: withNc(2) });
    expect(late.status).toBe(401);
    // Without stale=true a phone takes this 401 for a refused password and stops registering.
    expect(challengesOf(late).map((x) => x.stale)).toEqual([true, true]);
  });

  it('accepts MD5 without qop (RFC 2069) once per nonce', async () => {
    const c = await client();
    const contact = `<sip:bob@${c.local.address}:${c.local.port}>`;
    const creds = { username: 'bob', password: 'bob-secret' };
    const first = await c.register({ username: 'bob', contact });
    const used = challengesOf(first).find((x) => x.algorithm === 'MD5');
    if (!used) throw new Error('no MD5 challenge');
    const auth = digestAuthorization({ ...creds, method: 'REGISTER', uri: c.registrarUri, challenge: used, algorithm: 'MD5', noQop: true });
    expect((await c.register({ username: 'bob', contact, expires: 60, authorization: auth })).status).toBe(200);
    expect((await c.register({ username: 'bob', contact, expires: 60, authorization: auth })).status).toBe(401);
  });

  it("refuses credentials for another user's address-of-record, and a malformed Contact", async () => {
    const c = await client();
    const first = await c.register({ username: 'dave' });
    const used = challengesOf(first).find((x) => x.algorithm === 'MD5');
    if (!used) throw new Error('no MD5 challenge');
    // dave's credentials on a REGISTER whose To is alice (§10.3 step 4).
    const authorization = digestAuthorization({ username: 'dave', password: 'dave-secret', method: 'REGISTER', uri: c.registrarUri, challenge: used, algorithm: 'MD5', nc: 1 });
    const other = await c.register({ username: 'alice', contact: `<sip:dave@${c.local.address}>`, authorization });
    expect(other.status).toBe(403);
    const badContact = await c.registerWithAuth({ username: 'dave', password: 'dave-secret', contact: '<sip:dave@host>, *', expires: 0 });
    expect(badContact.response.status).toBe(400);
    expect(badContact.response.startLine).toMatch(/bad Contact: "\*" must be the only Contact/);
  });

  it('challenges credentials meant for another realm (RFC 3261 §22.3: not ours to judge) instead of refusing them', async () => {
    const c = await client();
    const contact = `<sip:alice@${c.local.address}:${c.local.port}>`;
    // A phone still holding credentials from before the realm was renamed, or a request that carries an upstream proxy's.
    const foreign = `Digest username="alice", realm="pbx.example.com", nonce="abc123", uri="${c.registrarUri}", response="${'0'.repeat(32)}", algorithm=MD5`;
    const res = await c.register({ username: 'alice', contact, expires: 60, authorization: foreign });
    expect(res.status).toBe(401);
    expect(challengesOf(res).map((x) => [x.realm, x.stale])).toEqual([
      ['dialtone', false],
      ['dialtone', false],
    ]);
    // Answering our challenge beside the foreign credentials registers.
    const used = challengesOf(res).find((x) => x.algorithm === 'MD5');
    if (!used) throw new Error('no MD5 challenge');
    const ours = digestAuthorization({ ...ALICE, method: 'REGISTER', uri: c.registrarUri, challenge: used, algorithm: 'MD5' });
    expect((await c.register({ username: 'alice', contact, expires: 60, extra: [`Authorization: ${foreign}`], authorization: ours })).status).toBe(200);
  });

  it('answers malformed credentials with 400 and a reason that says what is wrong', async () => {
    const c = await client();
    const first = await c.register({ username: 'alice' });
    const nonce = challengesOf(first)[0]?.nonce ?? '';
    const cases: Array<[string, RegExp]> = [
      ['Digest username="alice", realm="dialtone", nonce="unterminated', /unterminated quoted string/],
      [`Digest username="alice", realm="dialtone", uri="sip:x", response="${'0'.repeat(32)}"`, /without nonce/],
      [`Digest username="alice", realm="dialtone", nonce="${nonce}", uri="sip:x", response="${'0'.repeat(32)}", algorithm=SHA-512-256`, /unsupported algorithm/],
      ['Basic YWxpY2U6c2VjcmV0', /unsupported auth scheme Basic/],
      [`Digest username="alice", realm="dialtone", nonce="${nonce}", uri="sip:x", response="${'0'.repeat(32)}", qop=auth`, /nc/],
    ];
    for (const [authorization, reason] of cases) {
      const res = await c.register({ username: 'alice', contact: `<sip:alice@${c.local.address}>`, authorization });
      expect(res.status, authorization).toBe(400);
      expect(res.startLine, authorization).toMatch(reason);
    }
  });
});
