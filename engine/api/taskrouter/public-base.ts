import type { FastifyRequest } from 'fastify';

/** A Host header that is a host name or address with an optional port, nothing else. */
const HOST = /^[A-Za-z0-9.-]{1,253}(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](?::\d{1,5})?$/;

/**
 * The base of the absolute URLs in TaskRouter answers (`url`, `links`,
 * paging): the API's public URL when it is configured, else
 * `http://{Host header}` of the request.
 */
export function publicBase(publicUrl: string | undefined, req: FastifyRequest): string {
  if (publicUrl !== undefined && publicUrl !== '') return publicUrl.replace(/\/+$/, '');
  const host = req.headers.host;
  return `http://${host !== undefined && HOST.test(host) ? host : 'localhost'}`;
}
