/**
 * The event socket check that runs before drachtio-fsmrf connects, against
 * a small stand-in event socket on a real TCP port: each failure gives its
 * own clear error, and a good server gives the SIP profile's address.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EslProbeError, probeEventSocket } from '../../../media/freeswitch/esl-probe.js';

const SOFIA_STATUS = [
  '                     Name\t   Type\t                                      Data\tState',
  '=================================================================================================',
  '             drachtio_mrf\tprofile\t            sip:mod_sofia@127.0.0.1:5080\tRUNNING (0)',
  '=================================================================================================',
  '1 profile 0 aliases',
  '',
].join('\n');

type Behaviour = 'good' | 'reject-acl' | 'garbage' | 'silent';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A stand-in FreeSWITCH event socket with password "ClueCon". */
async function fakeEventSocket(behaviour: Behaviour, status = SOFIA_STATUS): Promise<number> {
  const server = createServer((socket: Socket) => {
    socket.on('error', () => undefined);
    if (behaviour === 'silent') return;
    if (behaviour === 'garbage') return void socket.end('HTTP/1.1 400 Bad Request\r\n\r\n\n\n');
    if (behaviour === 'reject-acl') {
      const body = 'Access Denied, go away.\n';
      return void socket.end(`Content-Type: text/rude-rejection\nContent-Length: ${body.length}\n\n${body}`);
    }
    socket.write('Content-Type: auth/request\n\n');
    let buf = '';
    socket.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
        const cmd = buf.slice(0, end);
        buf = buf.slice(end + 2);
        if (cmd.startsWith('auth ')) {
          if (cmd === 'auth ClueCon') socket.write('Content-Type: command/reply\nReply-Text: +OK accepted\n\n');
          else {
            socket.write('Content-Type: command/reply\nReply-Text: -ERR invalid\n\n');
            socket.end('Content-Type: text/disconnect-notice\nContent-Length: 0\n\n');
          }
        } else if (cmd === 'api sofia status') {
          socket.write(`Content-Type: api/response\nContent-Length: ${Buffer.byteLength(status)}\n\n${status}`);
        } else if (cmd === 'exit') socket.end();
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
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
    await new Promise((r) => servers.pop()!.close(r));
    const refused = await failure(probeEventSocket({ address: '127.0.0.1', port: closed, secret: 'ClueCon', profile: 'drachtio_mrf' }));
    expect(refused.failure).toBe('unreachable');
    expect(refused.message).toContain('connection refused');
    const silent = await fakeEventSocket('silent');
    const timedOut = await failure(probeEventSocket({ address: '127.0.0.1', port: silent, secret: 'ClueCon', profile: 'drachtio_mrf' }, 300));
    expect(timedOut.failure).toBe('unreachable');
    expect(timedOut.message).toContain('within 300 ms');
  });
});
