/**
 * Boots a whole engine with SIP users for registrar tests: the router
 * tests' configuration (everything on 127.0.0.1, port 0, short SIP timers)
 * plus `users` and `registrar`, and an application server that also takes
 * the presence callbacks.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEngineConfig } from '../../../config/load-engine-config.js';
import type { EngineConfigInput } from '../../../config/engine-config.js';
import { Engine } from '../../../engine/engine.js';
import { createLogger } from '../../../engine/logger.js';
import { startAppServer, type AppServer } from '../../router/helpers/app-server.js';
import { testConfig, type TestApplication } from '../../router/helpers/router-harness.js';
import { SippSession } from '../../support/sipp.js';

export { ACCOUNT_SID, AUTH_TOKEN } from '../../router/helpers/router-harness.js';

export const PRESENCE_PATH = '/presence';

export interface RegistrarHarness {
  engine: Engine;
  app: AppServer;
  sip: { address: string; port: number };
  sipTarget: string;
  apiBase: string;
  sipp: SippSession;
  stop(): Promise<void>;
}

export interface RegistrarHarnessOptions {
  users: EngineConfigInput['users'];
  registrar?: EngineConfigInput['registrar'];
  applications?: TestApplication[];
  allowedSources?: string[];
  /** Presence callbacks go to the app server's /presence (answered 204). */
  presence?: boolean;
}

export async function startRegistrar(opts: RegistrarHarnessOptions): Promise<RegistrarHarness> {
  const app = await startAppServer();
  app.on(PRESENCE_PATH, { kind: 'status', status: 204 });
  const dataDir = await mkdtemp(join(tmpdir(), 'dialtone-registrar-'));
  const base = testConfig(app.baseUrl, dataDir, opts.applications ?? [{ id: 'main', user: '100', voice: '/voice' }]);
  const registrar = { ...opts.registrar, ...(opts.presence ? { presenceCallback: app.url(PRESENCE_PATH) } : {}) };
  const config = parseEngineConfig(
    { ...base, trunks: [], users: opts.users, registrar, allowedSources: opts.allowedSources ?? [] },
    { env: {} },
  );
  const logger = createLogger({ level: process.env.DIALTONE_LOG_LEVEL ?? 'silent', name: 'registrar-test' });
  const engine = new Engine(config, { logger });
  const info = await engine.start();
  const udp = info.sip.find((s) => s.protocol === 'udp');
  if (!udp) throw new Error('the engine reports no UDP SIP listener');
  const sipp = new SippSession();
  return {
    engine,
    app,
    sip: { address: udp.local.address, port: udp.local.port },
    sipTarget: `${udp.local.address}:${udp.local.port}`,
    apiBase: info.api ? `http://${info.api.address}:${info.api.port}` : '',
    sipp,
    async stop() {
      await sipp.stopAll();
      await engine.stop();
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
