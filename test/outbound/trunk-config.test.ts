import { describe, expect, it } from 'vitest';
import { EngineConfigError, loadEngineConfig, parseEngineConfig } from '../../config/load-engine-config.js';

const EXAMPLE = new URL('../../config/examples/dialtone.example.json', import.meta.url);

function withTrunks(trunks: unknown): Record<string, unknown> {
  return {
    accounts: [{ id: 'AC' + 'a'.repeat(32), authToken: 'secret-token' }],
    applications: [{ id: 'menu', voiceUrl: 'http://127.0.0.1:3000/voice' }],
    ...(trunks === undefined ? {} : { trunks }),
  };
}

/** The issues (key: message) of the configuration error `fn` throws. */
function issues(fn: () => unknown): Array<{ key: string; message: string }> {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EngineConfigError);
    return [...(err as EngineConfigError).issues];
  }
  throw new Error('no error');
}

describe('outbound trunks in the engine configuration', () => {
  it('are optional, and fill their defaults', () => {
    expect(parseEngineConfig(withTrunks(undefined)).trunks).toEqual([]);
    expect(parseEngineConfig(withTrunks([{ id: 'carrier', host: 'sip.example.com' }])).trunks).toEqual([
      { id: 'carrier', host: 'sip.example.com', port: 5060, transport: 'udp', prefixes: [''], strip: 0, prepend: '' },
    ]);
  });

  it('the example file has trunks that load', async () => {
    const config = await loadEngineConfig(EXAMPLE.pathname, {});
    expect(config.trunks.map((t) => t.id)).toEqual(['carrier-us', 'carrier-world']);
    expect(config.trunks[1]?.transport).toBe('tcp');
  });

  it('duplicate ids name the key of the second', () => {
    const found = issues(() =>
      parseEngineConfig(withTrunks([
        { id: 'carrier', host: '192.0.2.1' },
        { id: 'other', host: '192.0.2.2' },
        { id: 'carrier', host: '192.0.2.3' },
      ])),
    );
    expect(found).toEqual([{ key: 'trunks.2.id', message: 'duplicate trunk id carrier' }]);
  });

  it.each([
    ['a bad transport', { transport: 'sctp' }, 'trunks.0.transport', /"udp" or "tcp"/],
    ['a bad id', { id: 'my trunk' }, 'trunks.0.id', /letters, digits/],
    ['a port out of range', { port: 70000 }, 'trunks.0.port', /./],
    ['a prefix with letters', { prefixes: ['+1', 'UK'] }, 'trunks.0.prefixes.1', /digits/],
    ['no prefixes', { prefixes: [] }, 'trunks.0.prefixes', /at least one prefix/],
    ['a negative strip', { strip: -1 }, 'trunks.0.strip', /./],
    ['a prepend with letters', { prepend: 'x' }, 'trunks.0.prepend', /digits/],
    ['a username without a password', { username: 'u' }, 'trunks.0.password', /give both or neither/],
    ['a host with a space', { host: 'sip example.com' }, 'trunks.0.host', /host name or an IP address/],
    ['no host', { host: undefined }, 'trunks.0.host', /./],
  ])('%s gets a clear error naming the key', (_what, patch, key, message) => {
    const found = issues(() => parseEngineConfig(withTrunks([{ id: 'carrier', host: '192.0.2.1', ...patch }])));
    const issue = found.find((i) => i.key === key);
    expect(issue, JSON.stringify(found)).toBeDefined();
    expect(issue!.message).toMatch(message);
  });

  it('trunks must be a list', () => {
    expect(issues(() => parseEngineConfig(withTrunks({ id: 'carrier' }))).map((i) => i.key)).toEqual(['trunks']);
  });
});
