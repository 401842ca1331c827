import { join } from 'node:path';
import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { FreeSwitchOptions } from '../config/freeswitch-options.js';
import { MediaCache } from '../media/cache.js';
import { EspeakProvider } from '../media/embedded/tts/espeak-provider.js';
import { CachedTts } from '../media/embedded/tts/tts-cache.js';
import { FreeSwitchMediaServer, PromptFiles } from '../media/freeswitch/index.js';

/** Where FreeSWITCH prompts live in the data directory; the HTTP server serves it at /media. */
export function freeswitchPromptsDir(dataDir: string): string {
  return join(dataDir, 'cache', 'freeswitch-prompts');
}

/**
 * The FreeSWITCH media driver as media.freeswitch configures it, connected:
 * audio comes from the media cache and the TTS provider the embedded engine
 * uses, published under the engine's HTTP server for FreeSWITCH to fetch.
 * Rejects when a server refuses the password or lacks the SIP profile.
 */
export async function startFreeSwitchMedia(
  srf: Srf,
  options: FreeSwitchOptions,
  env: { dataDir: string; httpBase: string; log: Logger },
): Promise<FreeSwitchMediaServer> {
  const cacheDir = join(env.dataDir, 'cache');
  const prompts = new PromptFiles({
    dir: freeswitchPromptsDir(env.dataDir),
    baseUrl: options.promptsUrl ?? `${env.httpBase}/media`,
    loader: new MediaCache({ dir: join(cacheDir, 'audio') }),
    tts: new CachedTts(new EspeakProvider(), { dir: join(cacheDir, 'tts') }),
  });
  const server = new FreeSwitchMediaServer(srf, {
    servers: options.servers,
    profile: options.profile,
    listenAddress: options.listenAddress,
    listenPort: options.listenPort,
    advertisedAddress: options.advertisedAddress,
    selection: options.selection,
    reconnectIntervalMs: options.reconnectIntervalMs,
    recordings: { freeswitchDir: options.recordingsDir, engineDir: options.recordingsEngineDir },
    inbandDtmf: options.inbandDtmf,
    prompts,
    log: (level, msg, fields) => env.log[level](fields ?? {}, msg),
  });
  await server.start();
  return server;
}
