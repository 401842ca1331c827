import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedMediaServer, type EmbeddedMediaServerConfig } from '../../../media/embedded/embedded-media-server.js';

export interface TestServer {
  server: EmbeddedMediaServer;
  dir: string;
  close(): Promise<void>;
}

/** An embedded media server on 127.0.0.1 with system-chosen ports and a scratch directory. */
export async function startServer(extra: Partial<EmbeddedMediaServerConfig> = {}): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'dialtone-media-'));
  const server = new EmbeddedMediaServer({
    rtpPortMin: 0,
    rtpPortMax: 0,
    bindAddress: '127.0.0.1',
    advertisedAddress: '127.0.0.1',
    cacheDir: join(dir, 'cache'),
    ...extra,
  });
  return {
    server,
    dir,
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
