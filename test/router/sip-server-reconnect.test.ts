/**
 * The engine with an external SIP server (drachtio-server's place, here the
 * embedded server run on its own): when that server goes away and comes
 * back on the same ports, drachtio-srf reconnects and calls work again, with
 * nothing done to the engine.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { parseEngineConfig } from '../../config/load-engine-config.js';
import { Engine } from '../../engine/engine.js';
import { silentLogger } from '../../engine/logger.js';
import { SipServer } from '../../engine/sipstack/sip-server.js';
import { waitUntil } from '../support/ports.js';
import { describeSipp, SippSession } from '../support/sipp.js';
import { findMessages } from '../support/sipp-trace.js';
import { respond, startAppServer } from './helpers/app-server.js';
import { CallerMedia } from './helpers/caller-media.js';
import { routerScenario, testConfig } from './helpers/router-harness.js';

const SECRET = 'reconnect-test';

function sipServer(sipPort: number, adminPort: number): SipServer {
  return new SipServer({
    sip: { address: '127.0.0.1', port: sipPort, transports: ['udp'] },
    admin: { address: '127.0.0.1', port: adminPort, secret: SECRET },
    timers: { t1: 50, t2: 500, t4: 500, d: 500 },
  });
}

describe('an external SIP server that restarts', () => {
  it('drachtio-srf reconnects by itself, and calls go through again', { timeout: 40_000 }, async ({ expect, onTestFinished }) => {
    const app = await startAppServer();
    onTestFinished(() => app.close());
    app.on('/voice', respond('<Say>Hello again.</Say><Hangup/>'));
    let server = sipServer(0, 0);
    const first = await server.start();
    onTestFinished(() => server.stop());
    const udp = first.sip[0]!.local;
    const dataDir = await mkdtemp(join(tmpdir(), 'dialtone-reconnect-'));
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
    const config = parseEngineConfig(
      { ...testConfig(app.baseUrl, dataDir, [{ id: 'hello', voice: '/voice' }]), drachtio: { host: '127.0.0.1', port: first.admin.port, secret: SECRET } },
      { env: {} },
    );
    const engine = new Engine(config, { logger: silentLogger() });
    await engine.start();
    onTestFinished(() => engine.stop());
    const sipp = new SippSession();
    onTestFinished(() => sipp.stopAll());
    const media = await CallerMedia.open();
    onTestFinished(() => media.close());

    const call = async (): Promise<void> => {
      const result = await (
        await sipp.start({ scenario: routerScenario('answered'), remote: `${udp.address}:${udp.port}`, service: 'hello', keys: media.sippKeys, timeoutSeconds: 15 })
      ).done;
      expect(result.exitCode, describeSipp(result)).toBe(0);
      expect(findMessages(result.trace, { direction: 'received', status: 200, cseqMethod: 'INVITE' })).toHaveLength(1);
    };
    await call();

    await server.stop();
    server = sipServer(udp.port, first.admin.port);
    await server.start();
    await waitUntil(() => server.stats().apps === 1, 20_000, 'the engine to reconnect');
    await call();
    expect(app.to('/voice')).toHaveLength(2);
  });
});
