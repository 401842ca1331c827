import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError } from '../call-service.js';
import { forwardRequests, type Forwarding } from '../forwarding.js';
import { TaskRouterError } from '../../taskrouter/errors.js';
import type { TaskRouterService } from '../../taskrouter/taskrouter-service.js';
import { registerActivityRoutes } from './activity-routes.js';
import { registerChannelRoutes } from './channel-routes.js';
import type { PublicBase, RouteContext } from './context.js';
import { registerEventRoutes } from './event-routes.js';
import { registerQueueRoutes } from './queue-routes.js';
import { registerReservationRoutes } from './reservation-routes.js';
import { registerStatisticsRoutes } from './statistics-routes.js';
import { registerTaskRoutes } from './task-routes.js';
import { registerWorkerChannelRoutes } from './worker-channel-routes.js';
import { registerWorkerRoutes } from './worker-routes.js';
import { registerWorkflowRoutes } from './workflow-routes.js';
import { registerWorkspaceRoutes } from './workspace-routes.js';

export { publicBase } from './public-base.js';

/**
 * TaskRouter's REST API on Twilio's v1 paths (/v1/Workspaces/...), so
 * that the twilio library's `client.taskrouter.v1.workspaces` works against
 * dialtone: Workspaces, Activities, TaskChannels, Workers and their
 * Channels, TaskQueues, Workflows, Tasks, Reservations (of a task and of a
 * worker), Events and Statistics. The request's account is the
 * authenticated one; a workspace of another account is 404. A refusal of
 * TaskRouter (TaskRouterError) is answered as Twilio's error JSON with its
 * status and code. In a cluster one engine runs the workspaces (see
 * start-taskrouter.ts): the others carry each request to it (`forwarding`).
 */
export function registerTaskRouterRoutes(app: FastifyInstance, service: TaskRouterService, publicBase: PublicBase, forwarding?: Forwarding): void {
  void app.register(async (scope: FastifyInstance) => {
    if (forwarding) forwardRequests(scope, forwarding, 'TaskRouter');
    // Thrown from here, the error goes on to the API's own error handler, which writes Twilio's error JSON.
    scope.setErrorHandler((err: FastifyError | TaskRouterError) => {
      if (err instanceof TaskRouterError) throw new ApiError(err.status, err.code, err.message);
      throw err;
    });
    const ctx: RouteContext = { app: scope, service, publicBase };
    registerWorkspaceRoutes(ctx);
    registerActivityRoutes(ctx);
    registerChannelRoutes(ctx);
    registerWorkerRoutes(ctx);
    registerWorkerChannelRoutes(ctx);
    registerQueueRoutes(ctx);
    registerWorkflowRoutes(ctx);
    registerTaskRoutes(ctx);
    registerReservationRoutes(ctx);
    registerEventRoutes(ctx);
    registerStatisticsRoutes(ctx);
  });
}
