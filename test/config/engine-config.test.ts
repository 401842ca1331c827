import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineConfigError, loadEngineConfig, parseEngineConfig } from '../../config/load-engine-config.js';

const EXAMPLE = new URL('../../config/examples/dialtone.example.json', import.meta.url);
const ACCOUNT = 'AC' + 'a'.repeat(32);
const OTHER = 'AC' + 'b'.repeat(32);

function minimal(): Record<string, unknown> {
  return {
    accounts: [{ id: ACCOUNT, authToken: 'secret-token' }],
    applications: [{ id: 'menu', voiceUrl: 'http://127.0.0.1:3000/voice' }],
  };
}

/** The keys named by the error `fn` throws. */
function badKeys(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EngineConfigError);
    return (err as EngineConfigError).issues.map((i) => i.key);
  }
  throw new Error('no error');
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dialtone-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('engine configuration', () => {
  it('the example file loads', async () => {
    const config = await loadEngineConfig(EXAMPLE.pathname, {});
    expect(config.applications.map((a) => a.id)).toEqual(['menu', 'support']);
    expect(config.applications[0]?.retry).toEqual({ on: ['connect', '5xx'], attempts: 2, delayMs: 200 });
    expect(config.routes.users['100']).toBe('menu');
  });

  it('fills Twilio-like defaults', () => {
    const config = parseEngineConfig(minimal());
    expect(config.applications[0]).toEqual({
      id: 'menu',
      voiceUrl: 'http://127.0.0.1:3000/voice',
      voiceMethod: 'POST',
      fallbackMethod: 'POST',
      statusCallbackMethod: 'POST',
      statusCallbackEvents: ['completed'],
      timeouts: { connectTimeoutMs: 5000, connectAttempts: 2, responseTimeoutMs: 15000 },
    });
    expect(config.routes).toEqual({ users: {}, domains: {} });
    expect(config.allowedSources).toEqual([]);
    expect(config.http).toEqual({ address: '127.0.0.1', port: 8089 });
    expect(config.sipServer.sip.port).toBe(5060);
    expect(config.dataDir).toBe('./data');
  });

  it('methods are case-insensitive', () => {
    const raw = minimal();
    raw.applications = [{ id: 'menu', voiceUrl: 'http://a.example/v', voiceMethod: 'get' }];
    expect(parseEngineConfig(raw).applications[0]?.voiceMethod).toBe('GET');
  });

  it.each([
    ['a voice URL that is not http', { applications: [{ id: 'menu', voiceUrl: 'ftp://a.example/v' }] }, 'applications.0.voiceUrl'],
    ['a bad method', { applications: [{ id: 'menu', voiceUrl: 'http://a.example/v', fallbackMethod: 'PUT' }] }, 'applications.0.fallbackMethod'],
    ['a bad status event', { applications: [{ id: 'menu', voiceUrl: 'http://a.example/v', statusCallbackEvents: ['hungup'] }] }, 'applications.0.statusCallbackEvents.0'],
    ['a bad retry class', { applications: [{ id: 'menu', voiceUrl: 'http://a.example/v', retry: { on: ['4xx'], attempts: 2 } }] }, 'applications.0.retry.on.0'],
    ['a timeout out of range', { applications: [{ id: 'menu', voiceUrl: 'http://a.example/v', timeouts: { responseTimeoutMs: 5 } }] }, 'applications.0.timeouts.responseTimeoutMs'],
    ['a bad account id', { accounts: [{ id: 'AC123', authToken: 'secret-token' }] }, 'accounts.0.id'],
    ['a short auth token', { accounts: [{ id: ACCOUNT, authToken: 'x' }] }, 'accounts.0.authToken'],
    ['a route to a missing application', { routes: { users: { '100': 'nope' } } }, 'routes.users.100'],
    ['a default to a missing application', { routes: { default: 'nope' } }, 'routes.default'],
    ['a bad CIDR', { allowedSources: ['10.0.0.0/33'] }, 'allowedSources.0'],
    ['a bad address', { allowedSources: ['not-an-ip'] }, 'allowedSources.0'],
    ['a bad HTTP port', { http: { port: 70000 } }, 'http.port'],
    ['a bad SIP transport', { sipServer: { sip: { transports: ['sctp'] } } }, 'sipServer.sip.transports.0'],
    ['no applications', { applications: [] }, 'applications'],
    ['an application of an unknown account', { applications: [{ id: 'menu', account: OTHER, voiceUrl: 'http://a.example/v' }] }, 'applications.0.account'],
    [
      'duplicate application ids',
      { applications: [{ id: 'menu', voiceUrl: 'http://a.example/v' }, { id: 'menu', voiceUrl: 'http://a.example/w' }] },
      'applications.1.id',
    ],
    [
      'no account on an application when there are several',
      { accounts: [{ id: ACCOUNT, authToken: 'secret-token' }, { id: OTHER, authToken: 'secret-token' }] },
      'applications.0.account',
    ],
  ])('names the key for %s', (_name, patch, key) => {
    expect(badKeys(() => parseEngineConfig({ ...minimal(), ...patch }))).toContain(key);
  });

  it('lists every problem at once, and the message names the keys', () => {
    try {
      parseEngineConfig({ ...minimal(), http: { port: -1 }, allowedSources: ['x'] }, { source: 'test.json' });
      throw new Error('no error');
    } catch (err) {
      expect((err as Error).message).toMatch(/^invalid configuration \(test\.json\): /);
      expect((err as Error).message).toContain('http.port');
      expect((err as Error).message).toContain('allowedSources.0');
    }
  });

  it('environment overrides ports, addresses, the data directory and secrets', () => {
    const env = {
      DIALTONE_HTTP_PORT: '0',
      DIALTONE_SIP_PORT: '5080',
      DIALTONE_ADMIN_SECRET: 'from-env',
      DIALTONE_DATA_DIR: '/var/lib/dialtone',
      DIALTONE_AUTH_TOKEN: 'token-from-env',
    };
    const config = parseEngineConfig(minimal(), { env });
    expect(config.http.port).toBe(0);
    expect(config.sipServer.sip.port).toBe(5080);
    expect(config.sipServer.admin.secret).toBe('from-env');
    expect(config.dataDir).toBe('/var/lib/dialtone');
    expect(config.accounts[0]?.authToken).toBe('token-from-env');
  });

  it('per-account tokens from DIALTONE_AUTH_TOKEN_<id>; the shared one is refused with several accounts', () => {
    const raw = {
      ...minimal(),
      accounts: [{ id: ACCOUNT, authToken: 'secret-token' }, { id: OTHER, authToken: 'secret-token' }],
      applications: [{ id: 'menu', account: OTHER, voiceUrl: 'http://a.example/v' }],
    };
    const config = parseEngineConfig(raw, { env: { [`DIALTONE_AUTH_TOKEN_${OTHER}`]: 'other-token' } });
    expect(config.accounts.map((a) => a.authToken)).toEqual(['secret-token', 'other-token']);
    expect(badKeys(() => parseEngineConfig(raw, { env: { DIALTONE_AUTH_TOKEN: 'x'.repeat(10) } }))).toEqual(['DIALTONE_AUTH_TOKEN']);
  });

  it('a bad port in the environment names the variable; a too-short token from it names the key', () => {
    expect(badKeys(() => parseEngineConfig(minimal(), { env: { DIALTONE_SIP_PORT: 'five' } }))).toEqual(['DIALTONE_SIP_PORT']);
    expect(badKeys(() => parseEngineConfig(minimal(), { env: { DIALTONE_AUTH_TOKEN: 'short' } }))).toEqual(['accounts.0.authToken']);
  });

  it('does not change the object it was given', () => {
    const raw = minimal();
    const before = JSON.stringify(raw);
    parseEngineConfig(raw, { env: { DIALTONE_HTTP_PORT: '1234' } });
    expect(JSON.stringify(raw)).toBe(before);
  });

  it('file errors: missing file, not JSON, not an object, no path at all', async () => {
    await expect(loadEngineConfig(join(dir, 'missing.json'), {})).rejects.toThrow(/cannot be read/);
    const notJson = join(dir, 'bad.json');
    await writeFile(notJson, '{ "accounts": [ }');
    await expect(loadEngineConfig(notJson, {})).rejects.toThrow(/not valid JSON/);
    const array = join(dir, 'array.json');
    await writeFile(array, '[]');
    await expect(loadEngineConfig(array, {})).rejects.toThrow(/must be a JSON object/);
    await expect(loadEngineConfig(undefined, {})).rejects.toThrow(/DIALTONE_CONFIG/);
  });

  it('DIALTONE_CONFIG names the file when no path is given', async () => {
    const file = join(dir, 'from-env.json');
    await writeFile(file, await readFile(EXAMPLE, 'utf8'));
    const config = await loadEngineConfig(undefined, { DIALTONE_CONFIG: file, DIALTONE_HTTP_PORT: '9999' });
    expect(config.http.port).toBe(9999);
  });
});
