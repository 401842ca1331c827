import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** Fastify's per-request log lines, at debug rather than info: one line per request, when it completes. */
export class DebugRequestLogs extends LogController {
  override incomingRequest(): void {
    // The completion line says all there is to say.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const fields = { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (error) request.log.debug({ ...fields, err: error.message }, 'API request failed');
    else request.log.debug(fields, 'API request');
  }

  override streamError(error: Error & { code?: string }, request: FastifyRequest): void {
    // A client that goes away while a recording streams is not the server's problem.
    if (error.code === 'ERR_STREAM_PREMATURE_CLOSE') request.log.debug({ url: request.url }, 'API response stream closed by the client');
    else request.log.warn({ err: error, url: request.url }, 'API response stream failed after its headers were sent');
  }
}
