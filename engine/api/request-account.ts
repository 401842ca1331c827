import type { FastifyRequest } from 'fastify';
import { ErrorCode } from './api-errors.js';
import { ApiError } from './call-service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The account the request authenticated as (set by the API's onRequest hook; '' before it). */
    accountSid: string;
  }
}

/** The authenticated account of a request; 401 when the request was not authenticated. */
export function requestAccount(req: FastifyRequest): string {
  if (!req.accountSid) throw new ApiError(401, ErrorCode.Authenticate, 'Authenticate');
  return req.accountSid;
}
