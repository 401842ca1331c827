import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { defaultEngineConfig } from '../config/default-engine-config.js';
import type { EngineConfig } from '../config/engine-config.js';
import { loadEngineConfig, parseEngineConfig } from '../config/load-engine-config.js';
import { Engine } from './engine.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The configuration for `dialtone start`: the file given (--config or
 * DIALTONE_CONFIG), or the built-in one with a generated auth token (logged
 * once, unless DIALTONE_AUTH_TOKEN sets it).
 */
export async function startConfig(file: string | undefined, env: Env, log: Logger): Promise<EngineConfig> {
  const path = file ?? env.DIALTONE_CONFIG;
  if (path !== undefined && path !== '') return loadEngineConfig(path, env);
  const token = env.DIALTONE_AUTH_TOKEN ?? randomBytes(16).toString('hex');
  const config = parseEngineConfig(defaultEngineConfig(token), { source: 'built-in configuration', env });
  const app = config.applications[0];
  log.info(
    {
      accountSid: config.accounts[0]?.id,
      authToken: env.DIALTONE_AUTH_TOKEN ? '(from DIALTONE_AUTH_TOKEN)' : token,
      voiceUrl: app?.voiceUrl,
      allowedSources: config.allowedSources,
    },
    'no configuration file: using the built-in configuration (every call goes to voiceUrl; requests are signed with authToken)',
  );
  return config;
}

/** Runs the engine until SIGINT or SIGTERM, then drains it (config shutdown.drainSeconds) and stops. */
export async function runStart(config: EngineConfig, log: Logger): Promise<void> {
  const engine = new Engine(config, { logger: log });
  const info = await engine.start();
  log.info(
    {
      sip: info.sip.map((t) => `${t.protocol}/${t.local.address}:${t.local.port}`),
      http: `${info.http.address}:${info.http.port}`,
      applications: config.applications.map((a) => `${a.id} -> ${a.voiceUrl}`),
    },
    'dialtone started: call it over SIP',
  );
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  // A second signal stops at once, hanging up what is left.
  const now = (): void => {
    log.warn('second signal: stopping now');
    void engine.stop();
  };
  process.once('SIGINT', now);
  process.once('SIGTERM', now);
  log.info({ signal, drainSeconds: config.shutdown.drainSeconds }, 'stopping');
  await engine.drain();
  log.info('stopped');
}
