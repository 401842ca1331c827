/**
 * FreeSWITCH going away in the middle of the driver's connection set-up (a
 * stand-in event socket on a real TCP port that drops the connection when
 * asked its first question after drachtio-fsmrf connected): start() still
 * settles, and the server is used once it answers again.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import Mrf from 'drachtio-fsmrf';
import type Srf from 'drachtio-srf';
import { FreeSwitchNode } from '../../../media/freeswitch/freeswitch-node.js';

const SOFIA_STATUS = '             drachtio_mrf\tprofile\t            sip:mod_sofia@127.0.0.1:5080\tRUNNING (0)\n';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

/** An event socket (password ClueCon) that drops the connection on the first `module_exists` question. */
async function flakyEventSocket(): Promise<{ port: number; drops: () => number }> {
  let dropped = 0;
  const sockets: Socket[] = [];
  const server: Server = createServer((socket: Socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.write('Content-Type: auth/request\n\n');
    let buf = '';
    socket.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
        const cmd = buf.slice(0, end);
        buf = buf.slice(end + 2);
        if (cmd.startsWith('auth ')) socket.write('Content-Type: command/reply\nReply-Text: +OK accepted\n\n');
        else if (cmd.startsWith('api module_exists') && dropped === 0) {
          dropped++;
          socket.destroy();
          return;
        } else if (cmd.startsWith('api ')) {
          const body = cmd === 'api sofia status' ? SOFIA_STATUS : 'false';
          socket.write(`Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`);
        } else if (cmd === 'exit') socket.end();
        else socket.write('Content-Type: command/reply\nReply-Text: +OK\n\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { port: (server.address() as AddressInfo).port, drops: () => dropped };
}

describe('FreeSWITCH lost while the driver connects', () => {
  test('start() settles, and the server is up once it answers again', async () => {
    const fs = await flakyEventSocket();
    const logs: string[] = [];
    const node = new FreeSwitchNode(new Mrf({} as Srf), {
      address: '127.0.0.1', port: fs.port, secret: 'ClueCon', profile: 'drachtio_mrf',
      listenAddress: '127.0.0.1', listenPort: 0, reconnectIntervalMs: 200, configKey: 'media.freeswitch.servers[0]',
      log: (level, msg) => logs.push(`${level} ${msg}`),
    });
    cleanup.push(() => node.close());
    const started = await Promise.race([
      node.start().then(() => 'settled'),
      new Promise<string>((r) => setTimeout(() => r('pending'), 4000)),
    ]);
    expect(started).toBe('settled');
    expect(fs.drops()).toBe(1);
    await expect.poll(() => logs, { timeout: 5000 }).toContain('info connected to FreeSWITCH');
    expect(logs.filter((l) => l === 'info connected to FreeSWITCH')).toHaveLength(1);
    expect(node.server).toBeDefined();
  }, 15_000);
});
