import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { serveAsset } from './assets-route.js';
import { serveHealth, type HealthSource } from './health-routes.js';
import { serveMedia } from './media-route.js';
import { Mp3Recordings } from '../recordings/mp3-conversion.js';
import { serveRecording } from './recordings-route.js';

export interface EngineHttpServerOptions {
  address: string;
  port: number;
  recordingsDir: string;
  /** Prompts published for a FreeSWITCH media server (GET /media/<name>.wav); none when unset. */
  mediaDir?: string;
  /** /metrics and /readyz answer from it once the engine has started (health-routes.ts). */
  health?: () => HealthSource | undefined;
  /** Bearer token /metrics asks for; none: /metrics is open (as Prometheus scrapes usually are). */
  metricsToken?: string;
  logger: Logger;
}

/**
 * The engine's own HTTP server: recordings (RecordingUrl, and
 * RecordingUrl.mp3), prompts published for FreeSWITCH, the audio it ships,
 * and /healthz, /readyz and /metrics.
 */
export class EngineHttpServer {
  private server: Server | undefined;
  private readonly mp3s = new Mp3Recordings();

  constructor(private readonly opts: EngineHttpServerOptions) {}

  async start(): Promise<{ address: string; port: number }> {
    const server = createServer((req, res) => {
      const { mediaDir, health } = this.opts;
      Promise.resolve(serveAsset(req, res))
        .then(async (handled) => handled || (health !== undefined && (await serveHealth(req, res, { source: health, ...(this.opts.metricsToken !== undefined ? { metricsToken: this.opts.metricsToken } : {}) }))))
        .then(async (handled) => handled || (await serveRecording(req, res, this.opts.recordingsDir, { mp3s: this.mp3s, log: this.opts.logger })))
        .then(async (handled) => handled || (mediaDir !== undefined && (await serveMedia(req, res, mediaDir))))
        .then((handled) => {
          if (!handled) res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
        })
        .catch((err: unknown) => {
          this.opts.logger.error({ err, url: req.url }, 'HTTP request failed');
          if (!res.headersSent) res.writeHead(500).end();
          else res.destroy();
        });
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const addr = server.address() as AddressInfo;
    return { address: addr.address, port: addr.port };
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
