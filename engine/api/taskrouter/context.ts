import type { FastifyInstance, FastifyRequest } from 'fastify';
import { refuseOtherMethods } from '../method-not-allowed.js';
import { requestAccount } from '../request-account.js';
import type { TaskRouterService, WorkspaceEntry } from '../../taskrouter/taskrouter-service.js';

/** The base of absolute URLs for a request (the API's public URL, or http://{Host}). */
export type PublicBase = (req: FastifyRequest) => string;

/** What the TaskRouter route files share. */
export interface RouteContext {
  app: FastifyInstance;
  service: TaskRouterService;
  publicBase: PublicBase;
}

export const WORKSPACES = '/v1/Workspaces';
export const WORKSPACE = '/v1/Workspaces/:WorkspaceSid';

export type WsParams = { WorkspaceSid: string };
export type WsRequest<P extends object = object> = FastifyRequest<{ Params: WsParams & P }>;

/** The workspace the path names, of the authenticated account; 404 for any other. */
export function workspaceOf(ctx: RouteContext, req: FastifyRequest<{ Params: WsParams }>): WorkspaceEntry {
  return ctx.service.entry(requestAccount(req), req.params.WorkspaceSid);
}

/** Methods a path does not take are answered 405 with Allow. */
export function allow(ctx: RouteContext, url: string, methods: readonly ('GET' | 'POST' | 'DELETE')[]): void {
  refuseOtherMethods(ctx.app, url, methods);
}
