/**
 * Starts the REST API on 127.0.0.1, port 0, over in-memory services, and
 * makes authenticated requests to it.
 */
import type { Logger } from 'pino';
import { createApiServer, type ApiServer } from '../../engine/api/api-server.js';
import { silentLogger } from '../../engine/logger.js';
import type { QueueApi } from '../../engine/queues/queue-api.js';
import { ACCOUNT, InMemoryCallService, InMemoryRecordingService, OTHER_ACCOUNT } from './in-memory-services.js';

export const AUTH_TOKEN = 'secret-token-of-account-one';
export const OTHER_AUTH_TOKEN = 'secret-token-of-account-two';

export interface ApiHarness {
  base: string;
  calls: InMemoryCallService;
  recordings: InMemoryRecordingService;
  server: ApiServer;
  /** Fetch with the first account's credentials; `path` may start after the account prefix ("/Calls.json"). */
  request(path: string, init?: RequestInit & { form?: Record<string, string | string[]> }): Promise<Response>;
  close(): Promise<void>;
}

export function basicAuth(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

/** "/Calls.json" -> "/2010-04-01/Accounts/AC.../Calls.json"; a path starting with "/2010-04-01" is kept. */
export function apiPath(path: string, account = ACCOUNT): string {
  return path.startsWith('/2010-04-01') ? path : `/2010-04-01/Accounts/${account}${path}`;
}

export function formBody(form: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  }
  return params.toString();
}

export async function startApi(opts: { bodyLimit?: number; publicUrl?: string; logger?: Logger; queues?: QueueApi } = {}): Promise<ApiHarness> {
  const calls = new InMemoryCallService();
  const recordings = new InMemoryRecordingService();
  const server = createApiServer({
    calls,
    recordings,
    accounts: [
      { id: ACCOUNT, authToken: AUTH_TOKEN },
      { id: OTHER_ACCOUNT, authToken: OTHER_AUTH_TOKEN },
    ],
    bodyLimit: opts.bodyLimit ?? 64 * 1024,
    ...(opts.publicUrl !== undefined ? { publicUrl: opts.publicUrl } : {}),
    ...(opts.queues ? { queues: opts.queues } : {}),
    logger: opts.logger ?? silentLogger(),
  });
  const { port } = await server.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    calls,
    recordings,
    server,
    request(path, init = {}) {
      const { form, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (!headers.has('authorization')) headers.set('authorization', basicAuth(ACCOUNT, AUTH_TOKEN));
      let body = rest.body;
      if (form !== undefined) {
        headers.set('content-type', 'application/x-www-form-urlencoded');
        body = formBody(form);
      }
      return fetch(base + apiPath(path), { ...rest, headers, ...(body !== undefined ? { body } : {}), method: rest.method ?? (form ? 'POST' : 'GET') });
    },
    close: () => server.close(),
  };
}
