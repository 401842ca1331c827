import type { FastifyInstance, HTTPMethods } from 'fastify';
import { ErrorCode } from './api-errors.js';
import { ApiError } from './call-service.js';

const REFUSABLE: readonly HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Answers the methods a resource does not take with 405 and an Allow header
 * (RFC 9110 section 15.5.6), rather than a 404 for a resource that exists.
 */
export function refuseOtherMethods(app: FastifyInstance, url: string, allowed: readonly HTTPMethods[]): void {
  const others = REFUSABLE.filter((m) => !allowed.includes(m));
  const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', ');
  app.route({
    method: others,
    url,
    handler: async (req, reply) => {
      reply.header('allow', allow);
      throw new ApiError(405, ErrorCode.MethodNotAllowed, `The requested resource does not support the HTTP method ${req.method}`);
    },
  });
}
