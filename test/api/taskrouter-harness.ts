/**
 * The REST API with TaskRouter on 127.0.0.1, port 0: the real
 * TaskRouterService over an embedded store in memory, calls and recordings
 * in memory (they are not what these tests are about).
 */
import type { Logger } from 'pino';
import { createApiServer } from '../../engine/api/api-server.js';
import { silentLogger } from '../../engine/logger.js';
import { EmbeddedStore } from '../../engine/store/embedded/embedded-store.js';
import { TaskRouterService } from '../../engine/taskrouter/taskrouter-service.js';
import { WebhookTransport } from '../../engine/webhooks/http-transport.js';
import { StoreOptionsSchema } from '../../config/store-options.js';
import { AUTH_TOKEN, OTHER_AUTH_TOKEN, basicAuth } from './api-harness.js';
import { ACCOUNT, InMemoryCallService, InMemoryRecordingService, OTHER_ACCOUNT } from './in-memory-services.js';

export interface TaskRouterApi {
  base: string;
  service: TaskRouterService;
  /** A plain request with the first account's credentials (for what the library cannot send); `path` from /v1. */
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export async function startTaskRouterApi(opts: { logger?: Logger } = {}): Promise<TaskRouterApi> {
  const log = opts.logger ?? silentLogger();
  const store = new EmbeddedStore(':memory:', StoreOptionsSchema.parse({}), log);
  const transport = new WebhookTransport();
  const tokens = new Map([
    [ACCOUNT, AUTH_TOKEN],
    [OTHER_ACCOUNT, OTHER_AUTH_TOKEN],
  ]);
  const service = new TaskRouterService({ store: store.taskRouter, transport, authTokenFor: (a) => tokens.get(a), log });
  await service.start();
  const server = createApiServer({
    calls: new InMemoryCallService(),
    recordings: new InMemoryRecordingService(),
    taskRouter: service,
    accounts: [
      { id: ACCOUNT, authToken: AUTH_TOKEN },
      { id: OTHER_ACCOUNT, authToken: OTHER_AUTH_TOKEN },
    ],
    bodyLimit: 64 * 1024,
    logger: log,
  });
  const { port } = await server.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    service,
    request(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', basicAuth(ACCOUNT, AUTH_TOKEN));
      return fetch(base + path, { ...init, headers });
    },
    async close() {
      await server.close();
      service.close();
      await transport.close();
      await store.close();
    },
  };
}
