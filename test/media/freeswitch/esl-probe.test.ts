/**
 * The event socket check that runs before drachtio-fsmrf connects, against
 * a small stand-in event socket on a real TCP port: each failure gives its
 * own clear error, and a good server gives the SIP profile's address.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EslProbeError, probeEventSocket } from '../../../media/freeswitch/esl-probe.js';
import { startFakeEventSocket, type FakeEventSocket } from './helpers/fake-event-socket.js';

const SOFIA_STATUS = [
  '                     Name\t   Type\t                                      Data\tState',
  '=================================================================================================',
  '             drachtio_mrf\tprofile\t            sip:mod_sofia@127.0.0.1:5080\tRUNNING (0)',
  '=================================================================================================',
  '1 profile 0 aliases',
  '',
].join('\n');

type Behaviour = 'good' | 'reject-acl' | 'garbage' | 'silent';

const fakes: FakeEventSocket[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

/** A stand-in FreeSWITCH event socket with password "ClueCon". */
async function fakeEventSocket(behaviour: Behaviour, status = SOFIA_STATUS): Promise<number> {
  const fake = await startFakeEventSocket({
    sofiaStatus: status,
    onConnect: ({ socket }) => {
      if (behaviour === 'silent') return true;
      if (behaviour === 'garbage') socket.end('HTTP/1.1 400 Bad Request\r\n\r\n\n\n');
      else if (behaviour === 'reject-acl') {
        const body = 'Access Denied, go away.\n';
        socket.end(`Content-Type: text/rude-rejection\nContent-Length: ${body.length}\n\n${body}`);
      }
      return behaviour !== 'good';
    },
  });
  fakes.push(fake);
  return fake.port;
}

async function failure(p: Promise<unknown>): Promise<EslProbeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EslProbeError);
  return err as EslProbeError;
}

describe('FreeSWITCH event socket probe', () => {
  it('a good server: the SIP profile address from sofia status', async () => {
    const port = await fakeEventSocket('good');
    await expect(probeEventSocket({ address: '127.0.0.1', port, secret: 'ClueCon', profile: 'drachtio_mrf' })).resolves.toEqual({ sipAddress: '127.0.0.1:5080' });
  });

  it('a wrong password: failure "auth", naming the server', async () => {
    const port = await fakeEventSocket('good');
    const err = await failure(probeEventSocket({ address: '127.0.0.1', port, secret: 'wrong', profile: 'drachtio_mrf' }));
    expect(err.failure).toBe('auth');
    expect(err.message).toContain(`127.0.0.1:${port} refused the password`);
  });

  it('no such SIP profile: failure "no-profile" naming the profile', async () => {
    const port = await fakeEventSocket('good');
    const err = await failure(probeEventSocket({ address: '127.0.0.1', port, secret: 'ClueCon', profile: 'other_profile' }));
    expect(err.failure).toBe('no-profile');
    expect(err.message).toContain('"other_profile"');
  });

  it('an ACL rejection, something that is not an event socket, a closed port, a silent server', async () => {
    const acl = await fakeEventSocket('reject-acl');
    expect((await failure(probeEventSocket({ address: '127.0.0.1', port: acl, secret: 'ClueCon', profile: 'drachtio_mrf' }))).failure).toBe('acl');
    const garbage = await fakeEventSocket('garbage');
    expect((await failure(probeEventSocket({ address: '127.0.0.1', port: garbage, secret: 'ClueCon', profile: 'drachtio_mrf' }))).failure).toBe('protocol');
    const closed = await fakeEventSocket('good');
    await fakes.pop()!.close();
    const refused = await failure(probeEventSocket({ address: '127.0.0.1', port: closed, secret: 'ClueCon', profile: 'drachtio_mrf' }));
    expect(refused.failure).toBe('unreachable');
    expect(refused.message).toContain('connection refused');
    const silent = await fakeEventSocket('silent');
    const timedOut = await failure(probeEventSocket({ address: '127.0.0.1', port: silent, secret: 'ClueCon', profile: 'drachtio_mrf' }, 300));
    expect(timedOut.failure).toBe('unreachable');
    expect(timedOut.message).toContain('within 300 ms');
  });
});
