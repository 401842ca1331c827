import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the application's web server saw it. */
export interface SeenRequest {
  method: string;
  /** Path and query as received. */
  path: string;
  /** The full URL the request was sent to (what a signature covers). */
  url: string;
  headers: IncomingHttpHeaders;
  /** Form body parameters (POST) or query parameters (GET). */
  params: Record<string, string>;
  body: string;
  /** Order of arrival at this server, from 0. */
  index: number;
  /** performance.now() when the request was complete. */
  at: number;
}

export type Handler = (req: SeenRequest, res: ServerResponse) => unknown;

export interface AppServer {
  baseUrl: string;
  requests: SeenRequest[];
  /** TCP connections accepted so far. */
  connections: number;
  route(path: string, handler: Handler): void;
  /** Resolves with the next request for `path` (or any path). */
  next(path?: string): Promise<SeenRequest>;
  close(): Promise<void>;
}

export function xml(res: ServerResponse, body: string, type = 'text/xml'): void {
  res.writeHead(200, { 'content-type': type });
  res.end(body);
}

/** A real node:http server on 127.0.0.1 with an ephemeral port, recording every request. */
export async function startAppServer(): Promise<AppServer> {
  const routes = new Map<string, Handler>();
  const waiters: { path?: string; resolve: (r: SeenRequest) => void }[] = [];
  const requests: SeenRequest[] = [];
  let baseUrl = '';
  const state = { connections: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const pathname = path.split('?')[0] ?? '/';
      const fromQuery = new URLSearchParams(path.includes('?') ? path.slice(path.indexOf('?') + 1) : '');
      const source = req.method === 'GET' ? fromQuery : new URLSearchParams(body);
      const seen: SeenRequest = {
        method: req.method ?? '',
        path,
        url: baseUrl + path,
        headers: req.headers,
        params: Object.fromEntries(source),
        body,
        index: requests.length,
        at: performance.now(),
      };
      requests.push(seen);
      for (let i = 0; i < waiters.length; i++) {
        const w = waiters[i];
        if (w && (w.path === undefined || w.path === pathname)) {
          waiters.splice(i, 1);
          w.resolve(seen);
          break;
        }
      }
      const handler = routes.get(pathname);
      if (!handler) {
        res.writeHead(404).end();
        return;
      }
      void Promise.resolve(handler(seen, res)).catch(() => res.destroy());
    });
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    requests,
    get connections() {
      return state.connections;
    },
    route: (path, handler) => routes.set(path, handler),
    next: (path) => new Promise((resolve) => waiters.push({ path, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A 127.0.0.1 port with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
