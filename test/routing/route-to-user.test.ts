import { describe, expect, it } from 'vitest';
import { parseEngineConfig } from '../../config/load-engine-config.js';
import type { Registrar, SipUser } from '../../engine/registrar/registrar.js';
import { routeCall, type CallRoute } from '../../engine/routing/route-to-user.js';

const ACCOUNT = 'AC' + '1'.repeat(32);
const OTHER = 'AC' + '2'.repeat(32);

const config = parseEngineConfig({
  accounts: [
    { id: ACCOUNT, authToken: 'first-token' },
    { id: OTHER, authToken: 'second-token' },
  ],
  applications: [
    { id: 'menu', account: ACCOUNT, voiceUrl: 'http://127.0.0.1:3000/menu' },
    { id: 'pbx', account: OTHER, voiceUrl: 'http://127.0.0.1:3000/pbx' },
  ],
  routes: { users: { menu: 'menu' } },
  allowedSources: ['127.0.0.1'],
});

const USERS: Record<string, SipUser> = {
  bob: { username: 'bob', accountSid: OTHER },
  menu: { username: 'menu', accountSid: ACCOUNT },
  "o'neil&co": { username: "o'neil&co", accountSid: ACCOUNT },
  carol: { username: 'carol', accountSid: ACCOUNT, application: 'pbx' },
};
const registrar: Registrar = { user: (name) => USERS[name], contactsOf: () => [] };

function describeRoute(r: CallRoute): string {
  if ('reject' in r) return `reject ${r.reject}`;
  return 'first' in r ? `ring ${r.user.username} (${r.account.authToken}): ${r.first.twiml}` : `${r.application.id} by ${r.matchedBy}`;
}

const route = (requestUri: string, opts: { source?: string; caller?: SipUser } = {}): string =>
  describeRoute(routeCall(config, registrar, { requestUri, sourceAddress: opts.source ?? '127.0.0.1', ...(opts.caller ? { caller: opts.caller } : {}) }));

describe('routeCall', () => {
  it("rings a registered user dialled by name, in the user's account", () => {
    expect(route('sip:bob@engine.example.com')).toBe('ring bob (second-token): <Response><Dial><Client>bob</Client></Dial></Response>');
    const decision = routeCall(config, registrar, { requestUri: 'sip:bob@x', sourceAddress: '127.0.0.1' });
    expect('application' in decision && decision.application.id).toBe('client:bob');
  });

  it('escapes the name in the document', () => {
    expect(route('sip:o%27neil%26co@engine')).toBe("ring o'neil&co (first-token): <Response><Dial><Client>o&#39;neil&#38;co</Client></Dial></Response>");
  });

  it('keeps the allow list, explicit user routes and a calling user\'s application first', () => {
    expect(route('sip:bob@engine', { source: '203.0.113.9' })).toBe('reject 403');
    expect(route('sip:menu@engine')).toBe('menu by user');
    expect(route('sip:bob@engine', { source: '203.0.113.9', caller: USERS.carol })).toBe('pbx by caller');
  });

  it('routes anything else as before', () => {
    expect(route('sip:nobody@engine')).toBe('reject 404');
    expect(route('sip:engine')).toBe('reject 404');
  });
});
