/**
 * A phone keeps the nonce of its last challenge and reuses it (nc counting
 * up) on its next REGISTER. After the engine restarted, that nonce is
 * unknown: the phone must get a challenge with stale=true (RFC 7616 §3.3,
 * RFC 2617 §3.2.1: its credentials are right, only the nonce is not), or a
 * client such as baresip takes the plain 401 as a refused password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistrar, type RegistrarHarness } from './helpers/registrar-harness.js';
import { challengesOf, digestAuthorization, SipClient } from './helpers/sip-client.js';

const USERS = [{ username: 'alice', password: 'alice-secret' }];

let before: RegistrarHarness;
let after: RegistrarHarness;
const clients: SipClient[] = [];

beforeAll(async () => {
  before = await startRegistrar({ users: USERS });
  after = await startRegistrar({ users: USERS });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await before?.stop();
  await after?.stop();
});

describe('a nonce from before a restart', () => {
  it('is challenged with stale=true when the digest is right, and without stale when the password is wrong', async () => {
    const old = await SipClient.open(before.sip);
    clients.push(old);
    const contact = `<sip:alice@${old.local.address}:${old.local.port}>`;
    const first = await old.registerWithAuth({ username: 'alice', password: 'alice-secret', contact, expires: 120 });
    expect(first.response.status).toBe(200);

    // The same phone, now talking to the restarted engine, reuses the nonce with the next nc.
    const phone = await SipClient.open(after.sip);
    clients.push(phone);
    const reuse = (password: string): string =>
      digestAuthorization({ username: 'alice', password, method: 'REGISTER', uri: phone.registrarUri, challenge: first.used, algorithm: 'MD5', nc: 2 });
    const right = await phone.register({ username: 'alice', contact, expires: 120, authorization: reuse('alice-secret') });
    expect(right.status).toBe(401);
    expect(challengesOf(right).map((c) => c.stale)).toEqual([true]);
    const wrong = await phone.register({ username: 'alice', contact, expires: 120, authorization: reuse('not-her-password') });
    expect(wrong.status).toBe(401);
    expect(challengesOf(wrong).map((c) => c.stale)).toEqual([false]);

    // The phone answers the stale challenge with its stored password and is registered.
    const fresh = challengesOf(right)[0];
    if (!fresh) throw new Error('no challenge');
    const authorization = digestAuthorization({ username: 'alice', password: 'alice-secret', method: 'REGISTER', uri: phone.registrarUri, challenge: fresh, algorithm: 'MD5' });
    expect((await phone.register({ username: 'alice', contact, expires: 120, authorization })).status).toBe(200);
  });
});
