/**
 * The application's web server in router tests: a real node:http server on
 * 127.0.0.1 with an ephemeral port that answers each path with a scripted
 * reply (instructions, an HTTP error, no answer at all, a broken document, a
 * wrong content type) and records every request the engine makes.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request as the application's server saw it. */
export interface AppRequest {
  method: string;
  /** Path and query as received. */
  path: string;
  /** Path without the query. */
  pathname: string;
  /** The full URL the request was sent to (what X-Twilio-Signature covers). */
  url: string;
  headers: IncomingHttpHeaders;
  /** Form parameters of a POST body, or the query parameters of a GET. */
  params: Record<string, string>;
  body: string;
  /** performance.now() when the request was complete. */
  at: number;
}

/** How the server answers a path. */
export type Reply =
  /** 200 with a document (text/xml unless told otherwise), optionally after a delay. */
  | { kind: 'xml'; body: string; contentType?: string; delayMs?: number }
  /** Any status with an optional body (e.g. 500, or 204 for status callbacks). */
  | { kind: 'status'; status: number; body?: string }
  /** 200 with bytes of any type (audio for Play, waitUrl, holdUrl). */
  | { kind: 'bytes'; body: Buffer; contentType: string }
  /** Reads the request and never answers. */
  | { kind: 'hang' };

export type Script = Reply | ((req: AppRequest) => Reply);

export const twiml = (body: string, contentType?: string): Reply => ({ kind: 'xml', body, contentType });
/** A document wrapped in <Response>. */
export const respond = (verbs: string): Reply => twiml(`<?xml version="1.0" encoding="UTF-8"?><Response>${verbs}</Response>`);
export const httpStatus = (status: number, body?: string): Reply => ({ kind: 'status', status, body });
export const hang = (): Reply => ({ kind: 'hang' });
/** A WAV file. */
export const wav = (body: Buffer): Reply => ({ kind: 'bytes', body, contentType: 'audio/wav' });
/** A 200 text/xml whose body is not well-formed XML. */
export const invalidXml = (): Reply => twiml('<Response><Say>unclosed</Response');
/** A valid document served as text/plain. */
export const wrongContentType = (): Reply => twiml('<Response><Say>plain</Say></Response>', 'text/plain');
/** What status callback paths answer. */
export const noContent = (): Reply => httpStatus(204);

export interface AppServer {
  readonly baseUrl: string;
  /** Every request, in order of arrival. */
  readonly requests: AppRequest[];
  /** Absolute URL of a path on this server. */
  url(path: string): string;
  /** Sets how `path` (without query) is answered; unscripted paths get 404. */
  on(path: string, script: Script): void;
  /** Requests to `pathname` so far. */
  to(pathname: string): AppRequest[];
  /** Resolves with the first request matching `where`, waiting up to `ms`. */
  waitFor(where: (r: AppRequest) => boolean, ms: number, what: string): Promise<AppRequest>;
  /** Resolves once `count` requests to `pathname` have arrived; returns them. */
  waitForCount(pathname: string, count: number, ms: number): Promise<AppRequest[]>;
  close(): Promise<void>;
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.kind === 'hang') return;
  if (reply.kind === 'bytes') {
    res.writeHead(200, { 'content-type': reply.contentType, 'content-length': String(reply.body.length) });
    res.end(reply.body);
    return;
  }
  if (reply.kind === 'status') {
    res.writeHead(reply.status, reply.body === undefined ? {} : { 'content-type': 'text/plain' });
    res.end(reply.body);
    return;
  }
  const write = (): void => {
    if (res.destroyed) return;
    res.writeHead(200, { 'content-type': reply.contentType ?? 'text/xml' });
    res.end(reply.body);
  };
  if (reply.delayMs) setTimeout(write, reply.delayMs);
  else write();
}

export async function startAppServer(): Promise<AppServer> {
  const scripts = new Map<string, Script>();
  const requests: AppRequest[] = [];
  const sockets = new Set<Socket>();
  let waiters: Array<() => void> = [];
  let baseUrl = '';

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const q = path.indexOf('?');
      const pathname = q === -1 ? path : path.slice(0, q);
      const query = new URLSearchParams(q === -1 ? '' : path.slice(q + 1));
      const seen: AppRequest = {
        method: req.method ?? '',
        path,
        pathname,
        url: baseUrl + path,
        headers: req.headers,
        params: Object.fromEntries(req.method === 'GET' ? query : new URLSearchParams(body)),
        body,
        at: performance.now(),
      };
      requests.push(seen);
      const pending = waiters;
      waiters = [];
      for (const wake of pending) wake();
      const script = scripts.get(pathname);
      if (!script) {
        res.writeHead(404).end();
        return;
      }
      try {
        send(res, typeof script === 'function' ? script(seen) : script);
      } catch {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const waitFor = (where: (r: AppRequest) => boolean, ms: number, what: string): Promise<AppRequest> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = requests.find(where);
        if (found) {
          clearTimeout(timer);
          resolve(found);
          return true;
        }
        waiters.push(check);
        return false;
      };
      const timer = setTimeout(() => {
        const seen = requests.map((r) => `${r.method} ${r.path} ${r.params.CallStatus ?? ''}`).join('; ');
        reject(new Error(`timed out after ${ms} ms waiting for ${what}; the app server saw: ${seen || 'nothing'}`));
      }, ms);
      check();
    });

  return {
    baseUrl,
    requests,
    url: (path) => baseUrl + path,
    on: (path, script) => void scripts.set(path, script),
    to: (pathname) => requests.filter((r) => r.pathname === pathname),
    waitFor,
    async waitForCount(pathname, count, ms) {
      const enough = (): boolean => requests.filter((r) => r.pathname === pathname).length >= count;
      await waitFor((r) => r.pathname === pathname && enough(), ms, `${count} requests to ${pathname}`);
      return requests.filter((r) => r.pathname === pathname);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
