/**
 * Boots a whole engine for a router test: embedded SIP server, media engine
 * and HTTP server on ephemeral 127.0.0.1 ports, a scratch data directory,
 * and applications whose URLs point at the test's application server.
 * Callers are SIPp processes running test/scenarios/router-uac-*.xml.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { parseEngineConfig } from '../../../config/load-engine-config.js';
import type { EngineConfigInput } from '../../../config/engine-config.js';
import { Engine } from '../../../engine/engine.js';
import { createLogger } from '../../../engine/logger.js';
import type { Registrar } from '../../../engine/registrar/registrar.js';
import { drachtioUnderTest, freeswitchUnderTest } from '../../support/test-variants.js';
import { SippSession, type SippProcess } from '../../support/sipp.js';
import { startAppServer, type AppServer } from './app-server.js';
import type { CallerMedia } from './caller-media.js';

export const ACCOUNT_SID = 'AC' + '0123456789abcdef'.repeat(2);
export const AUTH_TOKEN = 'router-test-auth-token';

type AppInput = EngineConfigInput['applications'][number];

/** An application of the test config; URLs are paths on the test's app server. */
export interface TestApplication {
  id: string;
  /** Dialled user part routed to this application (defaults to the id). */
  user?: string;
  voice: string;
  voiceMethod?: 'GET' | 'POST';
  fallback?: string;
  statusCallback?: string;
  statusCallbackEvents?: AppInput['statusCallbackEvents'];
  timeouts?: AppInput['timeouts'];
  retry?: AppInput['retry'];
  /** Signaling-event rules; their `url` is a path on the app server. */
  signalingEvents?: AppInput['signalingEvents'];
}

export interface RouterHarness {
  engine: Engine;
  app: AppServer;
  /** host:port of the engine's SIP (UDP) listener. */
  sipTarget: string;
  /** http://host:port of the engine's own HTTP server (recordings). */
  httpBase: string;
  /** http://host:port of the engine's REST API. */
  apiBase: string;
  /** Where drachtio-srf applications (another engine) connect to this engine's SIP server. */
  admin: { address: string; port: number };
  dataDir: string;
  sipp: SippSession;
  /** Places a call with one of the router caller scenarios; see `call`. */
  call(opts: CallOptions): Promise<SippProcess>;
  stop(): Promise<void>;
}

export type CallerScenario = 'answered' | 'forwarded' | 'hangup' | 'busy' | 'error';

export interface CallOptions {
  scenario: CallerScenario;
  /** Dialled user part (the application's `user`). */
  user: string;
  /** The RTP socket the caller's SDP points at. */
  media: CallerMedia;
  /** For 'hangup': how long the caller listens before its BYE. */
  hangupAfterMs?: number;
  timeoutSeconds?: number;
}

export function routerScenario(name: CallerScenario): string {
  return fileURLToPath(new URL(`../../scenarios/router-uac-${name}.xml`, import.meta.url));
}

/** The engine's configuration for a test: everything on 127.0.0.1, port 0, short SIP timers. */
export function testConfig(appBase: string, dataDir: string, applications: TestApplication[]): EngineConfigInput {
  const drachtio = drachtioUnderTest();
  const freeswitch = freeswitchUnderTest();
  const users: Record<string, string> = {};
  for (const a of applications) users[a.user ?? a.id] = a.id;
  return {
    accounts: [{ id: ACCOUNT_SID, authToken: AUTH_TOKEN }],
    applications: applications.map((a) => ({
      id: a.id,
      voiceUrl: appBase + a.voice,
      voiceMethod: a.voiceMethod ?? 'POST',
      ...(a.fallback === undefined ? {} : { fallbackUrl: appBase + a.fallback }),
      ...(a.statusCallback === undefined ? {} : { statusCallback: appBase + a.statusCallback }),
      ...(a.statusCallbackEvents === undefined ? {} : { statusCallbackEvents: a.statusCallbackEvents }),
      ...(a.timeouts === undefined ? {} : { timeouts: a.timeouts }),
      ...(a.retry === undefined ? {} : { retry: a.retry }),
      ...(a.signalingEvents === undefined ? {} : { signalingEvents: a.signalingEvents.map((r) => ({ ...r, url: appBase + r.url })) }),
    })),
    routes: { users },
    allowedSources: ['127.0.0.1'],
    dataDir,
    http: { address: '127.0.0.1', port: 0 },
    api: { address: '127.0.0.1', port: 0 },
    sipServer: {
      sip: { address: '127.0.0.1', port: 0, transports: ['udp'] },
      admin: { address: '127.0.0.1', port: 0, secret: 'router-test' },
      timers: { t1: 50, t2: 500, t4: 500, d: 500 },
    },
    media: {
      rtpPortMin: 0,
      rtpPortMax: 0,
      bindAddress: '127.0.0.1',
      advertisedAddress: '127.0.0.1',
      // In the freeswitch variant (scripts/test-variants.sh) FreeSWITCH runs the media.
      ...(freeswitch
        ? { driver: 'freeswitch' as const, freeswitch: { servers: [{ address: freeswitch.host, port: freeswitch.port, secret: freeswitch.secret }], reconnectIntervalMs: 500 } }
        : {}),
    },
    // In the drachtio variant (scripts/test-variants.sh) a real drachtio-server replaces the embedded one.
    ...(drachtio ? { drachtio } : {}),
  };
}

/** Silent, but for the engine's warnings about a part that is slow to stop: those go to stderr, so a run shows them. */
function stopProblemsLogger(): Logger {
  return pino({ level: 'warn' }, {
    write: (line: string) => {
      if (line.includes('"msg":"stopping:')) process.stderr.write(`router-test engine: ${line}`);
    },
  });
}

export async function startRouter(opts: {
  applications: TestApplication[];
  app?: AppServer;
  trunks?: EngineConfigInput['trunks'];
  /** SIP users and bindings the engine sees instead of its own registrar's. */
  registrar?: Registrar;
  /** Queueing and retries of signaling events. */
  signalingEventDelivery?: EngineConfigInput['signalingEventDelivery'];
  /** SIP users of the engine's own registrar, and its options. */
  users?: EngineConfigInput['users'];
  registrarOptions?: EngineConfigInput['registrar'];
  /** Media settings instead of the test defaults (e.g. a FreeSWITCH driver of the test's own). */
  media?: EngineConfigInput['media'];
  /** The engine's logger (to read what it logs); by default DIALTONE_LOG_LEVEL's, silent. */
  logger?: Logger;
  /** A data directory of the test's own (kept by stop()), e.g. to start a second engine on the first one's data. */
  dataDir?: string;
  /** More of the configuration (store, engineId, ...). */
  config?: Partial<EngineConfigInput>;
}): Promise<RouterHarness> {
  const app = opts.app ?? (await startAppServer());
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'dialtone-router-')));
  const base = {
    ...testConfig(app.baseUrl, dataDir, opts.applications),
    ...opts.config,
    trunks: opts.trunks ?? [],
    ...(opts.users ? { users: opts.users } : {}),
    ...(opts.registrarOptions ? { registrar: opts.registrarOptions } : {}),
    ...(opts.media ? { media: opts.media } : {}),
  };
  const config = parseEngineConfig(opts.signalingEventDelivery ? { ...base, signalingEventDelivery: opts.signalingEventDelivery } : base, { env: {} });
  const logger = opts.logger ?? (process.env.DIALTONE_LOG_LEVEL ? createLogger({ level: process.env.DIALTONE_LOG_LEVEL, name: 'router-test' }) : stopProblemsLogger());
  const engine = new Engine(config, { logger, ...(opts.registrar ? { registrar: opts.registrar } : {}) });
  const info = await engine.start();
  const udp = info.sip.find((s) => s.protocol === 'udp') ?? info.sip[0];
  if (!udp) throw new Error('the engine reports no SIP listener');
  const sipTarget = `${udp.local.address}:${udp.local.port}`;
  const sipp = new SippSession();
  let stopping: Promise<void> | undefined;
  return {
    engine,
    app,
    sipTarget,
    httpBase: `http://${info.http.address}:${info.http.port}`,
    apiBase: info.api ? `http://${info.api.address}:${info.api.port}` : '',
    admin: info.admin,
    dataDir,
    sipp,
    call: (c) =>
      sipp.start({
        scenario: routerScenario(c.scenario),
        remote: sipTarget,
        service: c.user,
        keys: c.media.sippKeys,
        timeoutSeconds: c.timeoutSeconds ?? 20,
        extraArgs: c.hangupAfterMs === undefined ? [] : ['-d', String(c.hangupAfterMs)],
      }),
    stop() {
      // Once, however many times a test and its clean-up ask.
      stopping ??= (async () => {
        await sipp.stopAll();
        await engine.stop();
        if (!opts.app) await app.close();
        if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
