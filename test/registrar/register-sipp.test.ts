/**
 * SIPp softphones registering with MD5 digest (SIPp computes the
 * credentials from the 401), seen through the REST API and the presence
 * callbacks the application server receives.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSipp } from '../support/sipp.js';
import { waitUntil } from '../support/ports.js';
import { twilioAccepts } from '../router/helpers/signature.js';
import type { AppRequest } from '../router/helpers/app-server.js';
import { ACCOUNT_SID, AUTH_TOKEN, PRESENCE_PATH, startRegistrar, type RegistrarHarness } from './helpers/registrar-harness.js';
import { apiGet, registrationOf } from './helpers/rest.js';

const scenario = (name: string): string => fileURLToPath(new URL(`../scenarios/${name}.xml`, import.meta.url));

let h: RegistrarHarness;

beforeAll(async () => {
  h = await startRegistrar({
    users: [
      { username: 'alice', password: 'alice-pw' },
      { username: 'bob', password: 'bob-pw' },
      { username: 'erin', password: 'erin-pw' },
    ],
    // SIPp 3.6 answers the first challenge it reads and knows MD5 only.
    registrar: { minExpires: 1, algorithms: ['MD5'] },
    presence: true,
  });
});

afterAll(async () => {
  await h?.stop();
});

async function register(user: string, pass: string, expires: number, name = 'register-uac-auth'): Promise<{ port: number }> {
  const sipp = await h.sipp.start({ scenario: scenario(name), remote: h.sipTarget, keys: { user, expires: String(expires) }, extraArgs: ['-au', user, '-ap', pass], timeoutSeconds: 10 });
  const result = await sipp.done;
  expect(result.exitCode, describeSipp(result)).toBe(0);
  return { port: sipp.port };
}

function presenceFor(username: string, event: string): (r: AppRequest) => boolean {
  return (r) => r.pathname === PRESENCE_PATH && r.params.Username === username && r.params.Event === event;
}

describe('REGISTER from SIPp', () => {
  it('registers after the challenge: online in the REST API, presence callback signed and sent', async () => {
    const { port } = await register('alice', 'alice-pw', 300);
    const reg = await registrationOf(h.apiBase, 'alice');
    expect(reg).toMatchObject({ account_sid: ACCOUNT_SID, username: 'alice', status: 'online' });
    expect(reg.contacts).toHaveLength(1);
    expect(reg.contacts[0]).toMatchObject({ uri: `sip:alice@127.0.0.1:${port};transport=UDP`, protocol: 'udp', received: `127.0.0.1:${port}`, user_agent: 'sipp-softphone' });
    expect(reg.contacts[0]?.expires).toBeGreaterThan(295);
    const cb = await h.app.waitFor(presenceFor('alice', 'registered'), 5000, 'presence of alice');
    expect(twilioAccepts(cb, AUTH_TOKEN)).toBe(true);
    expect(cb.params).toMatchObject({ AccountSid: ACCOUNT_SID, Status: 'online', ContactCount: '1' });
    expect(JSON.parse(cb.params.Contacts ?? '[]')).toEqual([expect.objectContaining({ uri: reg.contacts[0]?.uri, received: `127.0.0.1:${port}` })]);
  });

  it('answers a wrong password with 403 and registers nothing', async () => {
    await register('erin', 'not-erins', 300, 'register-uac-forbidden');
    expect((await registrationOf(h.apiBase, 'erin')).status).toBe('offline');
  });

  it('keeps two devices of one user, and Contact: * with Expires: 0 removes both', async () => {
    const one = await register('bob', 'bob-pw', 300);
    const two = await register('bob', 'bob-pw', 300);
    const reg = await registrationOf(h.apiBase, 'bob');
    expect(reg.contacts.map((c) => c.received).sort()).toEqual([`127.0.0.1:${one.port}`, `127.0.0.1:${two.port}`].sort());
    // Most recently registered first.
    expect(reg.contacts[0]?.received).toBe(`127.0.0.1:${two.port}`);
    expect(h.engine.stats().registrar?.bindings).toBeGreaterThanOrEqual(2);
    await register('bob', 'bob-pw', 0, 'register-uac-unregister-all');
    expect(await registrationOf(h.apiBase, 'bob')).toMatchObject({ status: 'offline', contacts: [] });
    const cb = await h.app.waitFor(presenceFor('bob', 'unregistered'), 5000, 'bob unregistered');
    expect(cb.params).toMatchObject({ Status: 'offline', ContactCount: '0', Contacts: '[]' });
    expect(JSON.parse(cb.params.ChangedContacts ?? '[]')).toHaveLength(2);
    expect(twilioAccepts(cb, AUTH_TOKEN)).toBe(true);
  });

  it('drops a binding when it expires: gone from the API and reported as expired', async () => {
    await register('erin', 'erin-pw', 1);
    expect((await registrationOf(h.apiBase, 'erin')).status).toBe('online');
    const cb = await h.app.waitFor(presenceFor('erin', 'expired'), 5000, 'erin expired');
    expect(cb.params).toMatchObject({ Status: 'offline', ContactCount: '0' });
    expect(twilioAccepts(cb, AUTH_TOKEN)).toBe(true);
    expect((await registrationOf(h.apiBase, 'erin')).status).toBe('offline');
  });

  it('lists every user of the account with its presence, paged, and 404s an unknown user', async () => {
    await waitUntil(async () => (await registrationOf(h.apiBase, 'alice')).status === 'online', 2000, 'alice online');
    const all = await apiGet(h.apiBase, '/SIP/Registrations.json?PageSize=2');
    expect(all.status).toBe(200);
    const page = all.body as { registrations: Array<{ username: string; status: string }>; next_page_uri: string | null };
    expect(page.registrations).toHaveLength(2);
    expect(page.next_page_uri).not.toBeNull();
    const online = await apiGet(h.apiBase, '/SIP/Registrations.json?Status=online');
    expect((online.body as { registrations: Array<{ username: string }> }).registrations.map((r) => r.username)).toEqual(['alice']);
    const missing = await apiGet(h.apiBase, '/SIP/Registrations/mallory.json');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 20404, status: 404 });
  });
});
