/**
 * media.driver and media.freeswitch: defaults, and errors that name the key.
 */
import { describe, expect, it } from 'vitest';
import { EngineConfigError, parseEngineConfig } from '../../config/load-engine-config.js';

const ACCOUNT = 'AC' + '0'.repeat(32);

function withMedia(media: unknown): Record<string, unknown> {
  return {
    accounts: [{ id: ACCOUNT, authToken: 'secret-token' }],
    applications: [{ id: 'app', voiceUrl: 'http://127.0.0.1:9/voice' }],
    media,
  };
}

function issues(media: unknown): string[] {
  try {
    parseEngineConfig(withMedia(media), { env: {} });
  } catch (err) {
    expect(err).toBeInstanceOf(EngineConfigError);
    return (err as EngineConfigError).issues.map((i) => `${i.key}: ${i.message}`);
  }
  throw new Error('the configuration was accepted');
}

describe('media.driver / media.freeswitch', () => {
  it('embedded by default; FreeSWITCH defaults filled in', () => {
    expect(parseEngineConfig(withMedia(undefined), { env: {} }).media.driver).toBe('embedded');
    const fs = parseEngineConfig(withMedia({ driver: 'freeswitch', freeswitch: { servers: [{ address: '10.0.0.7', secret: 'ClueCon' }] } }), { env: {} }).media.freeswitch;
    expect(fs).toEqual({
      servers: [{ address: '10.0.0.7', port: 8021, secret: 'ClueCon' }],
      profile: 'drachtio_mrf',
      listenAddress: '127.0.0.1',
      listenPort: 0,
      selection: 'least-loaded',
      reconnectIntervalMs: 2000,
      inbandDtmf: 'auto',
    });
  });

  it('errors name the key', () => {
    expect(issues({ driver: 'freeswitch' })).toEqual(["media.freeswitch: required when driver is 'freeswitch'"]);
    expect(issues({ driver: 'mediaserver' })[0]).toMatch(/^media\.driver: /);
    expect(issues({ driver: 'freeswitch', freeswitch: { servers: [] } })).toEqual(['media.freeswitch.servers: at least one FreeSWITCH server is required']);
    expect(issues({ driver: 'freeswitch', freeswitch: { servers: [{ address: 'fs', secret: 'x', port: 70000 }] } })[0]).toMatch(/^media\.freeswitch\.servers\.0\.port: /);
    expect(issues({ driver: 'freeswitch', freeswitch: { servers: [{ address: 'fs' }] } })[0]).toMatch(/^media\.freeswitch\.servers\.0\.secret: /);
    expect(issues({ driver: 'freeswitch', freeswitch: { servers: [{ address: 'fs', secret: 'x' }], selection: 'random' } })[0]).toMatch(/^media\.freeswitch\.selection: /);
    expect(issues({ driver: 'freeswitch', freeswitch: { servers: [{ address: 'fs', secret: 'x' }], listenAddress: '0.0.0.0' } })[0]).toMatch(
      /^media\.freeswitch\.advertisedAddress: required when listenAddress is 0\.0\.0\.0/,
    );
    expect(issues({ driver: 'freeswitch', freeswitch: { servers: [{ address: 'fs', secret: 'x' }], recordingsEngineDir: '/mnt/fs' } })).toEqual([
      'media.freeswitch.recordingsDir: required with recordingsEngineDir',
    ]);
    expect(
      issues({ driver: 'freeswitch', freeswitch: { servers: [{ address: 'a', secret: 'x', listenPort: 9000 }, { address: 'b', secret: 'x', listenPort: 9000 }] } }),
    ).toEqual(['media.freeswitch.servers.1.listenPort: listener port 9000 is used by another server']);
    expect(issues({ driver: 'freeswitch', freeswitch: { servers: [{ address: 'fs', secret: 'x' }], promptsUrl: 'ftp://x' } })[0]).toMatch(/^media\.freeswitch\.promptsUrl: /);
  });
});
