import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { EngineConfig } from '../config/engine-config.js';
import { EmbeddedMediaServer } from '../media/embedded/index.js';
import { FreeSwitchMediaServer } from '../media/freeswitch/index.js';
import type { MediaServer } from '../media/types.js';
import { createApiServer, type ApiServer } from './api/api-server.js';
import { ApiCallService } from './calls/api-call-service.js';
import { recordCallLogs } from './call-log/call-log-recorder.js';
import { ErrorCode } from './api/api-errors.js';
import { ApiError } from './api/call-service.js';
import type { CallDeps } from './calls/call-deps.js';
import { CallStore } from './calls/call-store.js';
import { endLostCalls } from './calls/orphaned-calls.js';
import { EngineLiveness } from './cluster/engine-liveness.js';
import { EventStream } from './events/event-stream.js';
import { sendStatusCallbacks } from './webhooks/status-callback-subscriber.js';
import { sendConferenceCallbacks } from './conferences/conference-callbacks.js';
import { startConferences, type Conferences } from './conferences/start-conferences.js';
import { endLostConferences } from './conferences/lost-conferences.js';
import { QueueService } from './queues/queue-service.js';
import { QueueApi } from './queues/queue-api.js';
import { startTaskRouter, type StartedTaskRouter } from './taskrouter/start-taskrouter.js';
import { HOLD_MUSIC_PATH, prepareAssets } from './http/assets-route.js';
import { RegistrationSync } from './cluster/registration-sync.js';
import { CallCommands } from './cluster/call-commands.js';
import { RecordingCommands } from './cluster/recording-commands.js';
import { LiveCallRecordingService } from './recordings/call-recording-service.js';
import { LegDialer } from './calls/dial-legs.js';
import { LiveCalls } from './calls/live-calls.js';
import { registrationService } from './registrar/registration-service.js';
import { SipRegistrar } from './registrar/sip-registrar.js';
import { NO_REGISTRAR, type Registrar } from './registrar/registrar.js';
import { RecordingStore } from './recordings/recording-store.js';
import { openStore } from './store/open-store.js';
import type { StateStore } from './store/types.js';
import { advertisedMediaAddress, publicHttpBase } from './engine-addresses.js';
import { EngineHttpServer } from './http/http-server.js';
import { silentLogger } from './logger.js';
import { SipServer, type SipServerInfo } from './sipstack/sip-server.js';
import { StatusCallbackSender } from './webhooks/status-callback.js';
import { createSignalingEvents, type SignalingEventSender } from './signaling-events/index.js';
import { WebhookClient } from './webhooks/webhook-client.js';
import { WebhookTransport } from './webhooks/http-transport.js';
import { connectSrf, watchSrfConnection } from './srf-connect.js';
import { serveSipRequests } from './sip-requests.js';
import { freeswitchPromptsDir, startFreeSwitchMedia } from './freeswitch-media.js';
import { listenersFromHostport } from './drachtio-hostports.js';
import type { EngineMetrics } from './metrics/engine-metrics.js';
import { engineMetrics } from './metrics/engine-sources.js';

export interface EngineOptions {
  logger?: Logger;
  /** A media server to use instead of the embedded one (it is not closed by stop()). */
  mediaServer?: MediaServer;
  /** The state store to use instead of the configured one (it is not closed by stop()). */
  store?: StateStore;
  /** SIP users and their bindings to use instead of the configured registrar (embedding, tests). */
  registrar?: Registrar;
}

export interface EngineInfo {
  /** SIP listeners of the embedded SIP server, or those an external drachtio-server reported. */
  sip: SipServerInfo['sip'];
  /** Where drachtio-srf is connected. */
  admin: { address: string; port: number };
  http: { address: string; port: number };
  /** The REST API, unless disabled. */
  api?: { address: string; port: number };
}

export interface EngineStats {
  /** Live calls: inbound, created over the REST API, and Dial legs. */
  calls: number;
  /** Media endpoints open in the engine's media driver, embedded or FreeSWITCH (undefined with a media server given in EngineOptions). */
  endpoints?: number;
  /** Calls since start: inbound, created over the REST API, and Dial legs. */
  totalCalls: number;
  sip?: ReturnType<SipServer['stats']>;
  /** Status callbacks still queued or in flight, by call. */
  pendingStatusCallbacks: number;
  /** SIP users, bindings, nonces tracked for replay protection, presence callbacks queued. */
  registrar?: ReturnType<SipRegistrar['stats']>;
  /** Calls with signaling events still queued or in flight. */
  pendingSignalingEvents: number;
}

/** How long stop() waits for calls to wind down after hanging them up. */
const STOP_GRACE_MS = 3000;

/**
 * The engine: the embedded SIP server (or an external drachtio-server),
 * drachtio-srf connected to it, the media server, the HTTP server for
 * recordings, and the webhook clients; inbound calls run the application's
 * instructions.
 */
export class Engine {
  private readonly log: Logger;
  /** This engine's name in the store's records (config engineId, or a new one). */
  readonly engineId: string;
  /** The engine's domain events: subscribe to see calls progress, webhooks, verbs, recordings, registrations. */
  readonly events: EventStream;
  private state: StateStore | undefined;
  private commands: CallCommands | undefined;
  private callRecordings: LiveCallRecordingService | undefined;
  private liveness: EngineLiveness | undefined;
  private registrations: RegistrationSync | undefined;
  /** Subscriptions of the engine's own parts to its event stream, ended at stop. */
  private readonly unsubscribers: (() => void)[] = [];
  private readonly live = new LiveCalls();
  private sipServer: SipServer | undefined;
  private srf: Srf | undefined;
  private media: MediaServer | undefined;
  private ownsMedia = false;
  private http: EngineHttpServer | undefined;
  private api: ApiServer | undefined;
  private transport: WebhookTransport | undefined;
  private statusSender: StatusCallbackSender | undefined;
  private sipRegistrar: SipRegistrar | undefined;
  private signalingSender: SignalingEventSender | undefined;
  private conferences: Conferences | undefined;
  private taskRouter: StartedTaskRouter | undefined;
  private webhooks: WebhookClient | undefined;
  private metrics: EngineMetrics | undefined;
  private started = false;

  constructor(
    readonly config: EngineConfig,
    private readonly opts: EngineOptions = {},
  ) {
    this.log = opts.logger ?? silentLogger();
    this.engineId = config.engineId ?? `engine-${randomBytes(6).toString('hex')}`;
    this.events = new EventStream(this.log.child({ component: 'events' }));
  }

  async start(): Promise<EngineInfo> {
    if (this.started) throw new Error('the engine is already started');
    this.started = true;
    try {
      return await this.startParts();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  private async startParts(): Promise<EngineInfo> {
    const { config } = this;
    const dataDir = resolve(config.dataDir);
    const recordingsDir = join(dataDir, 'recordings');
    await mkdir(recordingsDir, { recursive: true });
    const state = this.opts.store ?? openStore(config.store, dataDir, this.log);
    this.state = state;
    // Redis: no call is taken before the shared state can be read (the log says while it waits).
    await state.ready();

    let sip: SipServerInfo['sip'] = [];
    let admin: { address: string; port: number };
    let secret: string;
    if (config.drachtio) {
      admin = { address: config.drachtio.host, port: config.drachtio.port };
      secret = config.drachtio.secret;
    } else {
      this.sipServer = new SipServer(config.sipServer, this.log.child({ component: 'sip' }));
      const info = await this.sipServer.start();
      sip = info.sip;
      admin = info.admin;
      secret = config.sipServer.admin.secret;
    }

    if (this.opts.mediaServer) {
      this.media = this.opts.mediaServer;
    } else if (config.media.driver === 'embedded') {
      const mediaLog = this.log.child({ component: 'media' });
      this.media = new EmbeddedMediaServer({
        rtpPortMin: config.media.rtpPortMin,
        rtpPortMax: config.media.rtpPortMax,
        bindAddress: config.media.bindAddress,
        advertisedAddress: advertisedMediaAddress(config),
        cacheDir: join(dataDir, 'cache'),
        codecs: config.media.codecs,
        log: (level, msg, fields) => mediaLog[level](fields ?? {}, msg),
      });
      this.ownsMedia = true;
    }

    const usesFreeSwitch = !this.opts.mediaServer && config.media.driver === 'freeswitch';
    const mediaDir = usesFreeSwitch ? freeswitchPromptsDir(dataDir) : undefined;
    this.http = new EngineHttpServer({
      address: config.http.address,
      port: config.http.port,
      recordingsDir,
      mediaDir,
      // /metrics and /readyz answer once the engine has started (503 until then).
      health: () => (this.started ? this.metrics : undefined),
      ...(config.http.metricsToken !== undefined ? { metricsToken: config.http.metricsToken } : {}),
      logger: this.log.child({ component: 'http' }),
    });
    const http = await this.http.start();
    prepareAssets();

    const [firstAccount] = config.accounts;
    const authToken = firstAccount?.authToken ?? '';
    this.transport = new WebhookTransport();
    const webhookLog = this.log.child({ component: 'webhooks' });
    this.webhooks = new WebhookClient({ authToken, transport: this.transport, logger: webhookLog, events: this.events });
    this.statusSender = new StatusCallbackSender({ authToken, transport: this.transport, logger: webhookLog, events: this.events });
    const tokens = new Map(config.accounts.map((a) => [a.id, a.authToken]));
    this.unsubscribers.push(sendStatusCallbacks(this.events, this.statusSender, (sid) => tokens.get(sid)));
    this.unsubscribers.push(recordCallLogs(this.events, state.callLog));
    this.unsubscribers.push(sendConferenceCallbacks(this.events, this.statusSender, (sid) => tokens.get(sid)));
    const lostCallDeps = { events: this.events, log: this.log };
    // The embedded store is this engine's alone: whatever it shows as running was cut off by a restart.
    // In Redis, only calls under this engine's own (configured) id are known to be its; others' are the liveness watch's.
    await endLostCalls(state.calls, state.kind === 'embedded' ? undefined : this.engineId, 'the engine restarted', lostCallDeps);
    await endLostConferences(state.conferences, state.kind === 'embedded' ? undefined : this.engineId, 'the engine restarted', this.log);
    if (state.kind === 'redis') {
      this.liveness = new EngineLiveness(state, this.engineId, config.cluster.leaseMs, { ...lostCallDeps, log: this.log.child({ component: 'cluster' }) });
      await this.liveness.start();
    }
    const signaling = createSignalingEvents(config, {
      transport: this.transport,
      logger: webhookLog,
      // A signaling event answered with <Response>: the call runs it as a redirect (engine/signaling-events/README.md).
      onInstructions: (callSid, twiml, event) => {
        const redirected = this.live.get(callSid)?.redirect({ twiml }) ?? false;
        webhookLog.info({ callSid, rule: event.ruleId, redirected }, redirected ? 'signaling event answered with instructions: redirecting the call' : 'signaling event answered with instructions for a call that runs none now');
        return redirected;
      },
    });
    this.signalingSender = signaling.sender;

    const registrarLog = this.log.child({ component: 'registrar' });
    const shared = new RegistrationSync(state, this.engineId, config.cluster.leaseMs, registrarLog);
    this.registrations = shared;
    const registrar = new SipRegistrar({
      users: config.users,
      options: config.registrar,
      accounts: config.accounts,
      transport: this.transport,
      log: registrarLog,
      onUpdate: shared.changed,
      reportsExpiry: shared.reportsExpiry,
      events: this.events,
      // Engines of a cluster check each other's nonces; one engine alone keeps a key of its own per run
      // (its nonce-counts live in memory, so a nonce from before a restart must not be taken again).
      ...(state.kind === 'redis' ? { nonceCounts: state.nonceCounts, nonceSecret: await state.secrets.get('digest-nonce') } : {}),
    });
    this.sipRegistrar = registrar;
    await shared.start(registrar);

    const srf = new Srf();
    this.srf = srf;
    srf.on('error', (err: Error) => this.log.warn({ reason: err.message }, 'drachtio connection error'));
    const hostport = await connectSrf(srf, admin.address, admin.port, secret);
    const connection = watchSrfConnection(srf, admin, this.log);
    if (config.drachtio) sip = listenersFromHostport(hostport);
    if (usesFreeSwitch && config.media.freeswitch) {
      // FreeSWITCH endpoints are made by INVITEs through this srf; prompts are fetched from the HTTP server.
      this.media = await startFreeSwitchMedia(srf, config.media.freeswitch, {
        dataDir,
        httpBase: publicHttpBase(config, http),
        log: this.log.child({ component: 'media' }),
      });
      this.ownsMedia = true;
    }
    if (!this.media) throw new Error('no media driver');
    const dialer = new LegDialer();
    const recordings = { dir: recordingsDir, baseUrl: publicHttpBase(config, http), store: new RecordingStore(recordingsDir, state.recordings) };
    const conferences = await startConferences({
      state,
      media: this.media,
      events: this.events,
      webhooks: this.webhooks,
      engineId: this.engineId,
      holdMusicUrl: publicHttpBase(config, http) + HOLD_MUSIC_PATH,
      recordings: { ...recordings, statusSender: this.statusSender },
      authTokenOf: (sid) => tokens.get(sid),
      leaseMs: config.cluster.leaseMs,
      log: this.log,
    });
    this.conferences = conferences;
    const queues = new QueueService({ holdMusicUrl: publicHttpBase(config, http) + HOLD_MUSIC_PATH, store: state.queues, log: this.log.child({ component: 'queues' }) });
    // The call service is made after the calls' dependencies, which TaskRouter is one of.
    const late: { calls?: ApiCallService } = {};
    const taskRouter = await startTaskRouter({
      state,
      engineId: this.engineId,
      queues,
      transport: this.transport,
      events: this.events,
      calls: () => {
        if (!late.calls) throw new Error('the call service is not ready');
        return late.calls;
      },
      authTokenFor: (accountSid) => tokens.get(accountSid),
      leaseMs: config.cluster.leaseMs,
      log: this.log.child({ component: 'taskrouter' }),
    });
    this.taskRouter = taskRouter;
    const deps: CallDeps = {
      srf,
      media: this.media,
      webhooks: this.webhooks,
      statusSender: this.statusSender,
      events: this.events,
      store: new CallStore(state.calls, this.engineId),
      recordings,
      live: this.live,
      accounts: config.accounts,
      trunks: config.trunks,
      dialer,
      conferences: conferences.service,
      queues: taskRouter.queues,
      registrar: this.opts.registrar ?? (registrar.active ? registrar : NO_REGISTRAR),
      signaling: signaling.events,
      log: this.log,
    };
    dialer.bind(deps);
    serveSipRequests(srf, config, deps, registrar, this.log);

    // Updates of calls that run here may come from the REST API of any engine sharing the store.
    this.commands = new CallCommands(state.bus, this.engineId, this.log.child({ component: 'cluster' }));
    const calls = new ApiCallService(deps, this.commands, config.applications);
    late.calls = calls;
    await this.commands.start((command) => calls.runCommand(command));
    const recordingCommands = new RecordingCommands(state.bus, this.engineId, this.log.child({ component: 'cluster' }));
    const callRecordings = await LiveCallRecordingService.listening(deps.live, deps.store, recordings.store, recordingCommands);
    this.callRecordings = callRecordings;

    this.metrics = engineMetrics({
      events: this.events,
      live: this.live,
      state,
      sipServer: () => this.sipServer,
      sipConnected: () => connection.connected,
      media: () => this.media,
      registrar: () => this.sipRegistrar,
      endpoints: () => this.stats().endpoints,
    });

    let api: EngineInfo['api'];
    if (config.api.enabled) {
      this.api = createApiServer({
        calls,
        recordings: recordings.store,
        callRecordings,
        callLog: state.callLog,
        conferences: conferences.api,
        queues: new QueueApi(state.queues, queues),
        taskRouter: taskRouter.service,
        ...(taskRouter.forwarding ? { taskRouterForwarding: taskRouter.forwarding } : {}),
        registrations: registrationService(registrar),
        accounts: config.accounts,
        bodyLimit: config.api.bodyLimit,
        publicUrl: config.api.publicUrl,
        logger: this.log.child({ component: 'api' }),
      });
      api = await this.api.listen(config.api.port, config.api.address);
      // Other engines' TaskRouter requests, while this engine runs the workspaces; none once its API has closed.
      await taskRouter.answerForwarded(async (request) => {
        if (!this.api) throw new ApiError(503, ErrorCode.ServiceUnavailable, 'TaskRouter is moving to another engine; try again');
        return this.api.answerForwarded(request);
      });
    }

    this.log.info(
      {
        sip: sip.map((t) => `${t.protocol}/${t.local.address}:${t.local.port}`),
        admin: `${admin.address}:${admin.port}`,
        http: `${http.address}:${http.port}`,
        api: api ? `${api.address}:${api.port}` : 'disabled',
        engineId: this.engineId,
        store: state.kind,
      },
      'engine started',
    );
    return { sip, admin, http, api };
  }

  /**
   * Takes no new calls (INVITEs get 503 with Retry-After, REST creates 503)
   * and lets the calls in progress run until they end or `limitMs` passes;
   * then stop() hangs up what is left and flushes the store.
   */
  async drain(limitMs = this.config.shutdown.drainSeconds * 1000): Promise<void> {
    this.live.draining = true;
    const running = this.live.size;
    this.log.info({ calls: running, limitMs }, 'draining: no new calls; waiting for the calls in progress');
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<'limit'>((resolve) => (timer = setTimeout(() => resolve('limit'), limitMs)));
    const outcome = await Promise.race([this.live.whenEmpty().then(() => 'empty' as const), limit]);
    clearTimeout(timer);
    if (outcome === 'limit') this.log.warn({ calls: this.live.size }, 'drain limit reached: hanging up the calls still in progress');
    await this.stop();
  }

  /** Hangs up the calls in progress, then stops every part; safe to call more than once. */
  async stop(): Promise<void> {
    const step = (name: string, work: Promise<unknown> | undefined): Promise<void> => this.stopStep(name, work);
    await step('REST API', this.api?.close());
    this.api = undefined;
    const calls = this.live.values();
    await step('hanging up calls', Promise.all(calls.map((call) => call.shutdown().catch(() => undefined))));
    if (calls.length > 0) await this.withinGrace(Promise.all(calls.map((call) => call.done)));
    // This engine's calls have ended: it gives up its lease, and stops watching over the others.
    await step('cluster lease', this.liveness?.stop());
    this.liveness = undefined;
    try {
      this.srf?.disconnect();
    } catch (err) {
      // drachtio-srf asserts a socket: the SIP server may already be gone (a stopped engine of a cluster, a lost drachtio-server).
      this.log.debug({ reason: (err as Error).message }, 'the SIP server connection was already closed');
    }
    this.srf = undefined;
    await step('SIP server', this.sipServer?.stop());
    this.sipServer = undefined;
    this.conferences?.links?.close();
    await step('conferences', this.conferences?.service.close());
    await step('taskrouter', this.taskRouter?.stop());
    this.taskRouter = undefined;
    this.conferences = undefined;
    if (this.ownsMedia) await step('media', this.media?.close());
    this.media = undefined;
    await step('HTTP server', this.http?.stop());
    this.http = undefined;
    // The completed callbacks of the calls just ended still go out, within the grace period.
    if (this.statusSender) await this.withinGrace(this.statusSender.whenIdle());
    await step('status callbacks', this.statusSender?.close());
    await step('registrations', this.registrations?.stop());
    this.registrations = undefined;
    await step('registrar', this.sipRegistrar?.close());
    this.sipRegistrar = undefined;
    await step('signaling events', this.signalingSender?.close());
    this.signalingSender = undefined;
    await step('webhooks', this.webhooks?.close());
    await step('webhook transport', this.transport?.close());
    this.statusSender = undefined;
    this.webhooks = undefined;
    this.transport = undefined;
    this.commands?.close();
    this.commands = undefined;
    this.callRecordings?.close();
    this.callRecordings = undefined;
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.metrics?.close();
    this.metrics = undefined;
    // Last, once the calls' final records are written.
    if (this.state && this.state !== this.opts.store) await step('store', this.state.close());
    this.state = undefined;
    this.started = false;
  }

  /**
   * One part's stop, with a warning naming it when it takes over 5 s; after
   * 10 s the engine goes on without it (logged), so a part that hangs never
   * keeps the process from stopping.
   */
  private async stopStep(name: string, work: Promise<unknown> | undefined): Promise<void> {
    if (!work) return;
    const started = Date.now();
    const slow = setTimeout(() => this.log.warn({ part: name, waitedMs: Date.now() - started }, 'stopping: a part is slow to stop'), 5000);
    let limit: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'gave up'>((resolve) => (limit = setTimeout(() => resolve('gave up'), 10_000)));
    try {
      const outcome = await Promise.race([work.then(() => 'stopped' as const), gaveUp]);
      if (outcome === 'gave up') this.log.error({ part: name, waitedMs: Date.now() - started }, 'stopping: a part did not stop in 10 s; going on without it');
    } catch (err) {
      this.log.warn({ part: name, reason: (err as Error).message }, 'stopping: a part failed to stop');
    } finally {
      clearTimeout(slow);
      clearTimeout(limit);
    }
  }

  private async withinGrace(work: Promise<unknown>): Promise<void> {
    const grace = new AbortController();
    await Promise.race([work, sleep(STOP_GRACE_MS, undefined, { signal: grace.signal }).catch(() => undefined)]);
    grace.abort();
  }

  stats(): EngineStats {
    return {
      calls: this.live.size,
      endpoints: this.media instanceof EmbeddedMediaServer || this.media instanceof FreeSwitchMediaServer ? this.media.size : undefined,
      totalCalls: this.live.totalCalls,
      sip: this.sipServer?.stats(),
      pendingStatusCallbacks: this.statusSender?.trackedCalls ?? 0,
      registrar: this.sipRegistrar?.stats(),
      pendingSignalingEvents: this.signalingSender?.trackedCalls ?? 0,
    };
  }
}
