import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from './api-errors.js';
import { ApiError } from './call-service.js';

/** A REST request carried to another engine of the cluster, and its answer. */
export interface ForwardedRequest {
  method: string;
  /** Path and query, as the client sent them. */
  url: string;
  headers: Record<string, string>;
  /** The form body, encoded again. */
  body?: string;
}

export interface ForwardedReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Where a cluster's requests of one kind are answered. */
export interface Forwarding {
  /** Whether this engine answers them now. */
  here(): boolean;
  /** The engine that does; undefined while none does (one is taking over). */
  target(): Promise<string | undefined>;
  send(target: string, request: ForwardedRequest): Promise<ForwardedReply>;
}

/** Marks a request that was already carried once: it is answered where it lands, never carried on. */
export const FORWARDED_HEADER = 'x-dialtone-forwarded';

/** The client's headers that the answering engine needs: credentials, the Host for absolute URLs, the body's type. */
const CARRIED = ['authorization', 'host', 'content-type', 'accept'] as const;
/** The answer's headers the client sees. */
const RETURNED = ['content-type', 'allow'] as const;

function encodeForm(body: unknown): string | undefined {
  if (body === undefined || body === null || typeof body !== 'object') return undefined;
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(body as Record<string, string | string[]>)) {
    for (const v of Array.isArray(value) ? value : [value]) form.append(name, v);
  }
  return form.toString();
}

/**
 * Carries the requests of `scope` (a Fastify plugin's routes) to the engine
 * that answers them when that is not this one, and gives the client that
 * engine's answer as it was: status, body, content type. `what` names the
 * service in the 503 given while no engine answers for it.
 */
export function forwardRequests(scope: FastifyInstance, forwarding: Forwarding, what: string): void {
  scope.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    if (forwarding.here()) return;
    if (req.headers[FORWARDED_HEADER] !== undefined) {
      throw new ApiError(503, ErrorCode.ServiceUnavailable, `${what} is moving to another engine; try again`);
    }
    const target = await forwarding.target();
    if (target === undefined) throw new ApiError(503, ErrorCode.ServiceUnavailable, `${what} is starting on another engine; try again`);
    const headers: Record<string, string> = { [FORWARDED_HEADER]: '1' };
    for (const name of CARRIED) {
      const v = req.headers[name];
      if (typeof v === 'string') headers[name] = v;
    }
    const body = encodeForm(req.body);
    const answer = await forwarding.send(target, { method: req.method, url: req.url, headers, ...(body !== undefined ? { body } : {}) });
    for (const name of RETURNED) if (answer.headers[name] !== undefined) void reply.header(name, answer.headers[name]);
    return reply.code(answer.status).send(answer.body);
  });
}

/** Answers a carried request with this engine's own routes. */
export async function answerForwarded(app: FastifyInstance, request: ForwardedRequest): Promise<ForwardedReply> {
  const res = await app.inject({
    method: request.method as 'GET',
    url: request.url,
    headers: request.headers,
    ...(request.body !== undefined ? { payload: request.body } : {}),
  });
  const headers: Record<string, string> = {};
  for (const name of RETURNED) {
    const v = res.headers[name];
    if (typeof v === 'string') headers[name] = v;
  }
  return { status: res.statusCode, headers, body: res.body };
}
