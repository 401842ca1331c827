import formbody from '@fastify/formbody';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { StoreUnavailableError, type CallLogStore } from '../store/types.js';
import { badParameter, errorBody, ErrorCode } from './api-errors.js';
import { AccountAuthenticator, type ApiAccount } from './basic-auth.js';
import { registerCallLogRoutes } from './call-log-routes.js';
import { registerCallRoutes } from './calls-routes.js';
import { registerConferenceRoutes } from './conferences-routes.js';
import type { ConferenceApi } from '../conferences/conference-api.js';
import type { QueueApi } from '../queues/queue-api.js';
import { registerQueueRoutes } from './queues-routes.js';
import { ApiError, type CallRecordingService, type CallService, type RecordingService } from './call-service.js';
import { registerCallRecordingRoutes } from './call-recordings-routes.js';
import { registerRecordingRoutes } from './recordings-routes.js';
import { registerRegistrationRoutes, type RegistrationService } from './registrations-routes.js';
import { publicBase, registerTaskRouterRoutes } from './taskrouter/taskrouter-routes.js';
import type { TaskRouterService } from '../taskrouter/taskrouter-service.js';
import { answerForwarded, type ForwardedReply, type ForwardedRequest, type Forwarding } from './forwarding.js';
import { DebugRequestLogs } from './request-logs.js';
import { malformedQuery, parseFormBody, parseQueryString } from './request-params.js';

export interface ApiServerOptions {
  calls: CallService;
  recordings: RecordingService;
  /** Recordings of live calls (start, pause, resume, stop); without it the resources are absent. */
  callRecordings?: CallRecordingService;
  /** Conferences and their participants; without it the resources are absent. */
  conferences?: ConferenceApi;
  /** Call queues and their members; without it the resources are absent. */
  queues?: QueueApi;
  /** Each call's debugging log (Events, Notifications); without it the resources are absent. */
  callLog?: CallLogStore;
  /** SIP users' registrations (presence); without it the resource is absent. */
  registrations?: RegistrationService;
  /** TaskRouter (/v1/Workspaces/...); without it the resources are absent. */
  taskRouter?: TaskRouterService;
  /** In a cluster: where TaskRouter's requests are answered (the engine that runs the workspaces). */
  taskRouterForwarding?: Forwarding;
  /** Who may use the API: HTTP Basic user = account id, password = auth token. */
  accounts: readonly ApiAccount[];
  /** Largest request body in bytes; larger ones get 413. */
  bodyLimit: number;
  /** The API's base URL as clients reach it, for absolute links (recording media_url). */
  publicUrl?: string;
  logger: Logger;
}

export interface ApiServer {
  listen(port: number, address: string): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  /** Answers a request another engine carried here, with this API's routes. */
  answerForwarded(request: ForwardedRequest): Promise<ForwardedReply>;
}

const REALM = 'Basic realm="dialtone"';

function sendError(reply: FastifyReply, err: ApiError): FastifyReply {
  // RFC 9110 section 15.5.2: a 401 carries a WWW-Authenticate challenge; RFC 7617 section 2: the Basic scheme with a realm.
  if (err.status === 401) reply.header('www-authenticate', REALM);
  return reply.code(err.status).type('application/json; charset=utf-8').send(errorBody(err));
}

/** Fastify's own errors (body too large, wrong content type, ...) as the API's error JSON. */
function clientError(err: FastifyError, bodyLimit: number): ApiError | undefined {
  const status = err.statusCode;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  if (status === 413) return new ApiError(413, ErrorCode.InvalidParameter, `Request body is larger than ${bodyLimit} bytes`);
  if (status === 415) {
    return new ApiError(415, ErrorCode.InvalidParameter, 'Content-Type must be application/x-www-form-urlencoded');
  }
  return new ApiError(status, ErrorCode.InvalidParameter, err.message);
}

/**
 * The REST API for calls and recordings on Twilio's 2010-04-01 paths
 * (/2010-04-01/Accounts/{AccountSid}/Calls.json, ...), with HTTP Basic
 * authentication (RFC 7617) by account id and auth token. Request bodies are
 * form-encoded, answers JSON; every error is Twilio's error JSON.
 */
export function createApiServer(opts: ApiServerOptions): ApiServer {
  const logger: FastifyBaseLogger = opts.logger;
  const app: FastifyInstance = Fastify({
    loggerInstance: logger,
    logController: new DebugRequestLogs(),
    bodyLimit: opts.bodyLimit,
    // Twilio's SIDs and paths are case-sensitive; a trailing slash is the same resource.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200, querystringParser: parseQueryString },
    // Errors of the router itself (a bad percent-escape in the path, a path parameter too long).
    frameworkErrors: (err: FastifyError, _req: FastifyRequest, reply: FastifyReply) => {
      const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
      return sendError(reply, new ApiError(status, ErrorCode.InvalidParameter, 'The request URL is not valid'));
    },
  });
  const auth = new AccountAuthenticator(opts.accounts);

  app.removeAllContentTypeParsers();
  void app.register(formbody, { parser: parseFormBody, bodyLimit: opts.bodyLimit });

  app.decorateRequest('accountSid', '');
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const account = auth.authenticate(req.headers.authorization);
    if (!account) throw new ApiError(401, ErrorCode.Authenticate, 'Authenticate');
    req.accountSid = account.id;
    const params = req.params as { AccountSid?: string } | undefined;
    if (params?.AccountSid !== undefined && params.AccountSid !== account.id) {
      throw new ApiError(403, ErrorCode.Authenticate, `The credentials are those of ${account.id}, not of account ${params.AccountSid.slice(0, 64)}`);
    }
    const badQuery = malformedQuery(req.query);
    if (badQuery !== undefined) throw badParameter(badQuery);
  });

  app.setErrorHandler((err: FastifyError | ApiError, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof ApiError) return sendError(reply, err);
    if (err instanceof StoreUnavailableError) {
      req.log.warn({ reason: err.message, url: req.url }, 'API request refused: the store is not available');
      return sendError(reply, new ApiError(503, ErrorCode.ServiceUnavailable, 'Service unavailable: the engine cannot reach its store; try again'));
    }
    const known = clientError(err, opts.bodyLimit);
    if (known) {
      req.log.debug({ err: err.message, url: req.url }, 'API request refused');
      return sendError(reply, known);
    }
    req.log.error({ err, method: req.method, url: req.url }, 'API request failed');
    return sendError(reply, new ApiError(500, ErrorCode.Internal, 'An internal server error has occurred'));
  });

  app.setNotFoundHandler((req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? '';
    return sendError(reply, new ApiError(404, ErrorCode.NotFound, `The requested resource ${path.slice(0, 200)} was not found`));
  });

  registerCallRoutes(app, opts.calls);
  registerRecordingRoutes(app, opts.recordings, opts.publicUrl);
  if (opts.callRecordings) registerCallRecordingRoutes(app, opts.callRecordings, opts.recordings, opts.publicUrl);
  if (opts.callLog) registerCallLogRoutes(app, opts.calls, opts.callLog);
  if (opts.registrations) registerRegistrationRoutes(app, opts.registrations);
  if (opts.conferences) registerConferenceRoutes(app, opts.conferences, opts.calls);
  if (opts.queues) registerQueueRoutes(app, opts.queues);
  if (opts.taskRouter) registerTaskRouterRoutes(app, opts.taskRouter, (req) => publicBase(opts.publicUrl, req), opts.taskRouterForwarding);

  return {
    async listen(port: number, address: string) {
      await app.listen({ port, host: address });
      const addr = app.server.address() as AddressInfo;
      opts.logger.info({ address: addr.address, port: addr.port }, 'REST API listening');
      return { address: addr.address, port: addr.port };
    },
    async close() {
      await app.close();
    },
    answerForwarded: (request) => answerForwarded(app, request),
  };
}
