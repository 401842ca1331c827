/**
 * A FreeSWITCH that takes longer than the driver's 5 s to accept
 * drachtio-fsmrf's connection (a stand-in event socket whose auth reply
 * comes late): the attempt that timed out is closed when it completes after
 * all, no other attempt runs meanwhile (both would listen on listenPort for
 * the per-call connections), and the driver then connects once.
 */
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import Mrf from 'drachtio-fsmrf';
import type Srf from 'drachtio-srf';
import { FreeSwitchNode } from '../../../media/freeswitch/freeswitch-node.js';
import { startFakeEventSocket } from './helpers/fake-event-socket.js';

/** The auth reply to drachtio-fsmrf's first connection (the second one made: the driver's probe comes first). */
const LATE_AUTH_MS = 5600;

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('FreeSWITCH slow to accept the connection', () => {
  test('the timed-out attempt is closed when it completes, nothing else listens meanwhile, then one connection', async () => {
    const fake = await startFakeEventSocket({ authDelayMs: (index) => (index === 1 ? LATE_AUTH_MS : 0) });
    cleanup.push(() => fake.close());
    const listenPort = await freePort();
    const logs: { level: string; msg: string; reason?: unknown }[] = [];
    const node = new FreeSwitchNode(new Mrf({} as Srf), {
      address: '127.0.0.1', port: fake.port, secret: 'ClueCon', profile: 'drachtio_mrf',
      listenAddress: '127.0.0.1', listenPort, reconnectIntervalMs: 200, configKey: 'media.freeswitch.servers[0]',
      log: (level, msg, fields) => logs.push({ level, msg, reason: fields?.reason }),
    });
    cleanup.push(() => node.close());

    await node.start();
    expect(logs[0]).toMatchObject({ level: 'warn', msg: 'FreeSWITCH is not available: retrying' });
    expect(String(logs[0]?.reason)).toContain('did not complete within 5000 ms');

    await expect.poll(() => logs.some((l) => l.msg === 'connected to FreeSWITCH'), { timeout: 5000 }).toBe(true);
    // The late connection (index 1) was closed by the driver once it came.
    const late = fake.connections[1];
    expect(late?.closedAt).toBeDefined();
    // No connection was opened while it was under way.
    const during = fake.connections.filter((c) => c.index > 1 && c.openedAt < (late?.closedAt ?? 0));
    expect(during).toEqual([]);
    expect(logs.filter((l) => l.msg === 'connected to FreeSWITCH')).toHaveLength(1);
    expect(node.server?.listenPort).toBe(listenPort);
  }, 20_000);
});
