/**
 * A SIPp caller posing as a scanner: 603 Decline straight away over UDP and
 * TCP, the drachtio-srf application never called, and nothing left behind.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { describeSipp, SippSession, type SippTransport } from '../../support/sipp.js';
import { findMessages } from '../../support/sipp-trace.js';
import { waitUntil } from '../../support/ports.js';
import { startPolicyServer, type PolicyServer } from './policy-server.js';

const scenario = fileURLToPath(new URL('../../scenarios/uac-scanner-declined.xml', import.meta.url));
const sipp = new SippSession();
let server: PolicyServer | undefined;
afterEach(async () => {
  await sipp.stopAll();
  await server?.stop();
  server = undefined;
});

describe.each<SippTransport>(['udp', 'tcp'])('a scanner over %s', (transport) => {
  test('gets 603 Decline and no 100 Trying; the app is not called', async () => {
    server = await startPolicyServer();
    let invites = 0;
    server.srf.invite((_req, res) => {
      invites += 1;
      res.send(486);
    });
    const target = (transport === 'udp' ? server.udp : server.tcp)!;
    const result = await sipp.run({ scenario, remote: `${target.address}:${target.port}`, transport, calls: 3 });
    expect(result.exitCode, describeSipp(result)).toBe(0);
    const answers = findMessages(result.trace, { direction: 'received' });
    expect(answers.map((m) => m.status)).toEqual([603, 603, 603]);
    expect(invites).toBe(0);
    expect(server.server.stats().scanners).toEqual({ rejected: 3, discarded: 0 });
    await waitUntil(() => server!.server.stats().transactions === 0, 2000, 'no transaction kept for a scanner');
  });
});
