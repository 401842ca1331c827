import { describe, expect, it } from 'vitest';
import { parseEngineConfig } from '../../config/load-engine-config.js';
import { configIssues } from '../support/config-issues.js';
import type { EngineConfigInput } from '../../config/engine-config.js';

const A1 = 'AC' + '1'.repeat(32);
const A2 = 'AC' + '2'.repeat(32);

function base(extra: Partial<EngineConfigInput>): EngineConfigInput {
  return { accounts: [{ id: A1, authToken: 'token-one-1' }], applications: [{ id: 'main', voiceUrl: 'http://127.0.0.1/v' }], ...extra };
}


describe('users and registrar configuration', () => {
  it('has defaults', () => {
    const config = parseEngineConfig(base({ users: [{ username: 'alice', password: 'pw' }] }), { env: {} });
    expect(config.registrar).toEqual({
      realm: 'dialtone',
      minExpires: 60,
      maxExpires: 3600,
      defaultExpires: 3600,
      nonceTtlSeconds: 300,
      algorithms: ['MD5'],
      maxBindingsPerUser: 10,
      presenceCallbackMethod: 'POST',
    });
    expect(parseEngineConfig(base({}), { env: {} }).users).toEqual([]);
  });

  it('names the key of every malformed entry', () => {
    const found = configIssues(
      base({
        users: [{ username: 'alice' }, { username: 'bob', ha1: 'zz' }, { username: 'bad user', password: 'x' }],
        registrar: { algorithms: ['MD5', 'SHA-1' as 'MD5'], presenceCallback: 'ftp://x' },
      }),
    );
    expect(found.map((f) => f.split(':')[0])).toEqual(
      expect.arrayContaining(['users.0.password', 'users.1.ha1', 'users.2.username', 'registrar.algorithms.1', 'registrar.presenceCallback']),
    );
    expect(found.find((f) => f.startsWith('users.0.password'))).toMatch(/one of password, ha1 or ha1Sha256 is required/);
  });

  it('checks users against applications and accounts', () => {
    const found = configIssues(
      base({
        accounts: [
          { id: A1, authToken: 'token-one-1' },
          { id: A2, authToken: 'token-two-2' },
        ],
        applications: [{ id: 'main', account: A1, voiceUrl: 'http://127.0.0.1/v' }],
        users: [
          { username: 'bob', password: 'x', application: 'nope', account: A1 },
          { username: 'bob', password: 'y', account: A1 },
          { username: 'carol', password: 'x' },
          { username: 'dave', password: 'x', account: 'AC' + '3'.repeat(32) },
        ],
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        'users.0.application: no application nope',
        'users.1.username: duplicate username bob',
        'users.2.account: required when there are several accounts',
        `users.3.account: no account AC${'3'.repeat(32)}`,
      ]),
    );
  });

  it('checks the expiry limits against each other', () => {
    expect(configIssues(base({ registrar: { minExpires: 100, maxExpires: 50 } }))).toEqual(expect.arrayContaining([expect.stringMatching(/^registrar.minExpires: /)]));
    expect(configIssues(base({ registrar: { minExpires: 10, maxExpires: 50, defaultExpires: 60 } }))).toEqual([
      'registrar.defaultExpires: defaultExpires must lie between minExpires and maxExpires',
    ]);
  });
});
