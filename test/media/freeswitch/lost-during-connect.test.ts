/**
 * FreeSWITCH going away in the middle of the driver's connection set-up (a
 * stand-in event socket on a real TCP port that drops the connection when
 * asked its first question after drachtio-fsmrf connected): start() still
 * settles, and the server is used once it answers again.
 */
import { afterEach, describe, expect, test } from 'vitest';
import Mrf from 'drachtio-fsmrf';
import type Srf from 'drachtio-srf';
import { FreeSwitchNode } from '../../../media/freeswitch/freeswitch-node.js';
import { startFakeEventSocket } from './helpers/fake-event-socket.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

/** An event socket that drops the connection on the first `module_exists` question. */
async function flakyEventSocket(): Promise<{ port: number; drops: () => number }> {
  let dropped = 0;
  const fake = await startFakeEventSocket({
    onCommand: (cmd, conn) => {
      if (!cmd.startsWith('api module_exists') || dropped > 0) return false;
      dropped++;
      conn.socket.destroy();
      return true;
    },
  });
  cleanup.push(() => fake.close());
  return { port: fake.port, drops: () => dropped };
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
