import { isIP } from 'node:net';
import { z } from 'zod';
import { SipServerOptionsSchema } from './sip-server-options.js';
import { SignalingEventDeliverySchema, SignalingEventRulesSchema } from './signaling-events.js';
import { TrunksSchema } from './trunks.js';
import { RegistrarOptionsSchema, SipUsersSchema } from './sip-users.js';
import { FreeSwitchOptionsSchema } from './freeswitch-options.js';
import { StoreOptionsSchema } from './store-options.js';

/**
 * The engine's configuration file: accounts, applications and their URLs,
 * how inbound calls are routed to applications, who may call in, where data
 * lives. Loaded and checked by loadEngineConfig (config/load-engine-config.ts).
 */

const HttpMethodSchema = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(['GET', 'POST']));

const HttpUrlSchema = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' });

/** Account ids look like Twilio's: AC + 32 hex digits. */
const AccountSidSchema = z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits');

export const AccountSchema = z.object({
  id: AccountSidSchema,
  /** Key of the X-Twilio-Signature HMAC on every request for this account. */
  authToken: z.string().min(8, 'must be at least 8 characters'),
});

export const STATUS_CALLBACK_EVENTS = ['initiated', 'ringing', 'answered', 'completed'] as const;

export const WebhookTimeoutsSchema = z.object({
  connectTimeoutMs: z.number().int().min(100).max(60_000).default(5000),
  connectAttempts: z.number().int().min(1).max(5).default(2),
  responseTimeoutMs: z.number().int().min(100).max(120_000).default(15_000),
});

export const RetryPolicySchema = z.object({
  on: z.array(z.enum(['connect', 'timeout', '5xx'])).min(1),
  /** Total tries of the primary URL, the first included. */
  attempts: z.number().int().min(1).max(10),
  delayMs: z.number().int().min(0).max(30_000).default(0),
});

export const ApplicationSchema = z.object({
  id: z.string().min(1).regex(/^[A-Za-z0-9._-]+$/, 'may hold only letters, digits, . _ -'),
  /** Account the application belongs to; may be left out when there is one account. */
  account: AccountSidSchema.optional(),
  voiceUrl: HttpUrlSchema,
  voiceMethod: HttpMethodSchema.default('POST'),
  fallbackUrl: HttpUrlSchema.optional(),
  fallbackMethod: HttpMethodSchema.default('POST'),
  statusCallback: HttpUrlSchema.optional(),
  statusCallbackMethod: HttpMethodSchema.default('POST'),
  statusCallbackEvents: z.array(z.enum(STATUS_CALLBACK_EVENTS)).default(['completed']),
  timeouts: WebhookTimeoutsSchema.prefault({}),
  retry: RetryPolicySchema.optional(),
  /** SIP messages inside this application's calls reported to URLs (config/signaling-events.ts). */
  signalingEvents: SignalingEventRulesSchema.optional(),
});

/** An IPv4 or IPv6 address, or a CIDR block of either. */
export const SourceSchema = z.string().refine(
  (value) => {
    const [address = '', prefix, extra] = value.split('/');
    if (extra !== undefined) return false;
    const family = isIP(address);
    if (family === 0) return false;
    if (prefix === undefined) return true;
    if (!/^\d{1,3}$/.test(prefix)) return false;
    return Number(prefix) <= (family === 4 ? 32 : 128);
  },
  { error: 'must be an IP address or CIDR block, e.g. 10.0.0.0/8 or 2001:db8::/32' },
);

export const RoutesSchema = z.object({
  /** Dialled user part (Request-URI, then To) -> application id. */
  users: z.record(z.string().min(1), z.string()).default({}),
  /** SIP domain of the Request-URI (case-insensitive) -> application id. */
  domains: z.record(z.string().min(1), z.string()).default({}),
  /** Application for calls no other route matches; without it they get 404. */
  default: z.string().optional(),
});

/** Media: the embedded RTP media engine (its options below), or FreeSWITCH (media.freeswitch). */
export const MediaOptionsSchema = z
  .object({
    /** Which media driver runs the calls' audio. */
    driver: z.enum(['embedded', 'freeswitch']).default('embedded'),
    /** FreeSWITCH servers, required when driver is 'freeswitch' (config/freeswitch-options.ts). */
    freeswitch: FreeSwitchOptionsSchema.optional(),
    /** RTP port range (RTP on even ports, RTCP on the next); 0 and 0 let the system pick free ports. */
    rtpPortMin: z.number().int().min(0).max(65_535).default(0),
    rtpPortMax: z.number().int().min(0).max(65_535).default(0),
    /** Address the RTP sockets bind to. */
    bindAddress: z.string().min(1).default('0.0.0.0'),
    /** Address written in SDP; by default the SIP external address, the bind address, or the first network interface. */
    advertisedAddress: z.string().min(1).optional(),
    /** Codecs in the order offered and preferred. */
    codecs: z.array(z.enum(['PCMU', 'PCMA', 'opus'])).min(1).default(['PCMU', 'PCMA', 'opus']),
  })
  .refine((m) => (m.rtpPortMin === 0) === (m.rtpPortMax === 0) && m.rtpPortMin <= m.rtpPortMax, {
    error: 'rtpPortMin and rtpPortMax must both be 0, or a range with rtpPortMin <= rtpPortMax',
    path: ['rtpPortMax'],
  })
  .refine((m) => m.driver !== 'freeswitch' || m.freeswitch !== undefined, {
    error: "required when driver is 'freeswitch'",
    path: ['freeswitch'],
  });

export const EngineConfigSchema = z
  .object({
    accounts: z.array(AccountSchema).min(1, 'at least one account is required'),
    applications: z.array(ApplicationSchema).min(1, 'at least one application is required'),
    routes: RoutesSchema.prefault({}),
    /**
     * Who may send INVITEs without credentials (trunks); empty means everyone,
     * except when `users` are configured: then empty means no source is trusted
     * and every INVITE must authenticate as a user.
     */
    allowedSources: z.array(SourceSchema).default([]),
    /** SIP users that register and call in with digest credentials (config/sip-users.ts). */
    users: SipUsersSchema,
    /** The registrar and digest authentication of the users. */
    registrar: RegistrarOptionsSchema.prefault({}),
    /** Recordings, the media cache and the embedded store live here. */
    dataDir: z.string().min(1).default('./data'),
    /** Where calls, recordings and registrations are kept: a database under dataDir, or Redis (config/store-options.ts). */
    store: StoreOptionsSchema.prefault({}),
    /** What SIGTERM (or SIGINT) does: no new calls, calls in progress run up to drainSeconds, then are hung up. */
    shutdown: z
      .object({
        drainSeconds: z.number().min(0).max(86_400).default(30),
      })
      .prefault({}),
    /** Engines sharing a Redis store (engine/cluster/). */
    cluster: z
      .object({
        /** How long an engine that stops renewing its lease is taken for alive; then another ends its calls. */
        leaseMs: z.number().int().min(500).max(300_000).default(10_000),
      })
      .prefault({}),
    /** This engine's name in a cluster (in the store's records and its logs); a new one at each start when unset. */
    engineId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'may hold only letters, digits, . _ - (at most 64)')
      .optional(),
    /** HTTP server for recordings (RecordingUrl), /healthz, /readyz and /metrics. */
    http: z
      .object({
        address: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65_535).default(8089),
        /** Base of RecordingUrl when the engine is reached through another name. */
        publicUrl: HttpUrlSchema.optional(),
        /** When set, GET /metrics asks for `Authorization: Bearer <metricsToken>`; unset, it is open like /healthz and /readyz. */
        metricsToken: z.string().min(16, 'must be at least 16 characters').optional(),
      })
      .prefault({}),
    /** The REST API for calls and recordings (Twilio's paths), on a port of its own. */
    api: z
      .object({
        enabled: z.boolean().default(true),
        address: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65_535).default(8088),
        /** Largest request body accepted, in bytes (413 above it). */
        bodyLimit: z.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
        /** Base of the URIs in API answers when the API is reached through another name. */
        publicUrl: HttpUrlSchema.optional(),
      })
      .prefault({}),
    /** The embedded SIP server (as for `dialtone sip-server`). */
    sipServer: SipServerOptionsSchema.prefault({}),
    /** An external drachtio-server to use instead of the embedded SIP server. */
    drachtio: z
      .object({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65_535).default(9022),
        secret: z.string().min(1),
      })
      .optional(),
    /** The embedded media engine (RTP). */
    media: MediaOptionsSchema.prefault({}),
    /** Outbound trunks: where calls to phone numbers go (config/trunks.ts). */
    trunks: TrunksSchema,
    /** Signaling-event rules for every application's calls (and REST-created calls). */
    signalingEvents: SignalingEventRulesSchema.default([]),
    /** Queueing, timeouts and retries of signaling-event callbacks. */
    signalingEventDelivery: SignalingEventDeliverySchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    const accountIds = new Set<string>();
    config.accounts.forEach((a, i) => {
      if (accountIds.has(a.id)) ctx.addIssue({ code: 'custom', path: ['accounts', i, 'id'], message: `duplicate account id ${a.id}` });
      accountIds.add(a.id);
    });
    const appIds = new Set<string>();
    config.applications.forEach((app, i) => {
      if (appIds.has(app.id)) ctx.addIssue({ code: 'custom', path: ['applications', i, 'id'], message: `duplicate application id ${app.id}` });
      appIds.add(app.id);
      if (app.account !== undefined && !accountIds.has(app.account)) {
        ctx.addIssue({ code: 'custom', path: ['applications', i, 'account'], message: `no account ${app.account}` });
      }
      if (app.account === undefined && config.accounts.length > 1) {
        ctx.addIssue({ code: 'custom', path: ['applications', i, 'account'], message: 'required when there are several accounts' });
      }
    });
    const checkRef = (path: (string | number)[], id: string): void => {
      if (!appIds.has(id)) ctx.addIssue({ code: 'custom', path, message: `no application ${id}` });
    };
    for (const [user, id] of Object.entries(config.routes.users)) checkRef(['routes', 'users', user], id);
    for (const [domain, id] of Object.entries(config.routes.domains)) checkRef(['routes', 'domains', domain], id);
    if (config.routes.default !== undefined) checkRef(['routes', 'default'], config.routes.default);
    const usernames = new Set<string>();
    config.users.forEach((user, i) => {
      if (usernames.has(user.username)) ctx.addIssue({ code: 'custom', path: ['users', i, 'username'], message: `duplicate username ${user.username}` });
      usernames.add(user.username);
      if (user.application !== undefined) checkRef(['users', i, 'application'], user.application);
      if (user.account !== undefined && !accountIds.has(user.account)) {
        ctx.addIssue({ code: 'custom', path: ['users', i, 'account'], message: `no account ${user.account}` });
      }
      if (user.account === undefined && config.accounts.length > 1) {
        ctx.addIssue({ code: 'custom', path: ['users', i, 'account'], message: 'required when there are several accounts' });
      }
    });
  });

export type EngineConfig = z.infer<typeof EngineConfigSchema>;
export type EngineConfigInput = z.input<typeof EngineConfigSchema>;
export type Account = z.infer<typeof AccountSchema>;
export type Application = z.infer<typeof ApplicationSchema>;
export type MediaOptions = z.infer<typeof MediaOptionsSchema>;
