import { describe, expect, it } from 'vitest';
import { listenersFromHostport } from '../../engine/drachtio-hostports.js';
import { drachtioUnderTest, parseServerSpec } from '../support/test-variants.js';

describe('the SIP listeners a drachtio-server reports on connect', () => {
  it('reads every transport, IPv6 in brackets included', () => {
    expect(listenersFromHostport('tcp/127.0.0.1:5090,udp/127.0.0.1:5090,wss/[2001:db8::1]:8443')).toEqual([
      { protocol: 'tcp', local: { address: '127.0.0.1', port: 5090 } },
      { protocol: 'udp', local: { address: '127.0.0.1', port: 5090 } },
      { protocol: 'wss', local: { address: '2001:db8::1', port: 8443 } },
    ]);
  });

  it('leaves out entries that do not parse and unknown transports', () => {
    expect(listenersFromHostport('sctp/10.0.0.1:5060,garbage,udp/10.0.0.1:x,udp/10.0.0.2:5062')).toEqual([
      { protocol: 'udp', local: { address: '10.0.0.2', port: 5062 } },
    ]);
    expect(listenersFromHostport(undefined)).toEqual([]);
  });
});

describe('the test variants', () => {
  it('parses host:port:secret and refuses anything else', () => {
    expect(parseServerSpec('X', '10.0.0.5:9022:s3cr:et')).toEqual({ host: '10.0.0.5', port: 9022, secret: 's3cr:et' });
    expect(() => parseServerSpec('X', '10.0.0.5:secret')).toThrow(/X must be host:port:secret/);
  });

  it('uses a drachtio-server only in the drachtio variant', () => {
    expect(drachtioUnderTest({ DIALTONE_TEST_DRACHTIO: 'h:1:s' })).toBeUndefined();
    expect(drachtioUnderTest({ DIALTONE_TEST_VARIANT: 'drachtio', DIALTONE_TEST_DRACHTIO: 'h:1:s' })).toEqual({ host: 'h', port: 1, secret: 's' });
    expect(() => drachtioUnderTest({ DIALTONE_TEST_VARIANT: 'drachtio' })).toThrow(/DIALTONE_TEST_DRACHTIO/);
  });
});

describe('the production-shape variant', () => {
  it('names both servers at once', async () => {
    const { freeswitchUnderTest } = await import('../support/test-variants.js');
    const env = { DIALTONE_TEST_VARIANT: 'drachtio,freeswitch', DIALTONE_TEST_DRACHTIO: 'd:9022:a', DIALTONE_TEST_FREESWITCH: 'f:8021:b' };
    expect(drachtioUnderTest(env)).toEqual({ host: 'd', port: 9022, secret: 'a' });
    expect(freeswitchUnderTest(env)).toEqual({ host: 'f', port: 8021, secret: 'b' });
    expect(freeswitchUnderTest({ ...env, DIALTONE_TEST_VARIANT: 'drachtio' })).toBeUndefined();
  });
});
