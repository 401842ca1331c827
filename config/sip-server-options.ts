import { isIP } from 'node:net';
import { z } from 'zod';
import { parseIpv4Cidr } from '../engine/sipstack/transport/listener-choice.js';

/**
 * User-Agent values of well-known SIP scanners (SIPVicious and its forks,
 * sipcli, sip-scan, VaxSIP-based tools, iWar, sundayddr, pplsip): requests
 * carrying them are blocked unless `spammers` says otherwise.
 */
export const DEFAULT_SCANNER_USER_AGENTS = [
  'friendly-scanner', 'sipvicious', 'sipcli', 'sip-cli', 'sip-scan', 'VaxSIPUserAgent', 'iWar', 'sundayddr', 'pplsip',
];

const Action = z.enum(['reject', 'discard']);

/**
 * A header value rule: a case-insensitive substring, or `/pattern/flags` for
 * a regular expression (checked here so that a bad one is a startup error).
 */
const ValuePattern = z
  .string()
  .min(1)
  .refine((v) => {
    const m = /^\/(.+)\/([a-z]*)$/.exec(v);
    if (!m) return true;
    try {
      new RegExp(m[1], m[2]);
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression');

/** SIP transports a listener can carry: UDP, TCP, TLS (RFC 3261 §26), and SIP over WebSocket (RFC 7118) plain or over TLS. */
const Transport = z.enum(['udp', 'tcp', 'tls', 'ws', 'wss']);

/**
 * One SIP listener: an address and port with the transports on it (drachtio's
 * `<contact external-ip local-net>`). externalAddress is written into Via,
 * Contact and Record-Route instead of the bound address, except in messages
 * to peers inside localNet (an IPv4 CIDR), which get the bound address.
 */
const Contact = z.object({
  address: z.string().min(1).default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(5060),
  transports: z.array(Transport).min(1).default(['udp', 'tcp']),
  externalAddress: z.string().refine((a) => isIP(a) !== 0, 'must be an IP address').optional(),
  localNet: z.string().refine((n) => parseIpv4Cidr(n) !== undefined, 'must be an IPv4 network in CIDR form, such as 10.0.0.0/8').optional(),
});
export type SipContact = z.infer<typeof Contact>;

/** Options of the embedded SIP server, as a drachtio-server replacement. */
export const SipServerOptionsSchema = z.object({
  sip: z
    .object({
      /** Address the SIP transports bind to. */
      address: z.string().min(1).default('0.0.0.0'),
      /** SIP port for every transport; 0 picks a free one (logged). */
      port: z.number().int().min(0).max(65535).default(5060),
      transports: z.array(Transport).min(1).default(['udp', 'tcp']),
      /** Address written into Via, Contact and Record-Route; defaults to the bound address or the first interface. */
      externalAddress: z.string().min(1).optional(),
      maxMessageBytes: z.number().int().min(1024).max(1 << 20).default(65_535),
      maxHeaders: z.number().int().min(10).max(1000).default(100),
      tcpIdleTimeoutMs: z.number().int().min(1000).default(300_000),
      /**
       * Several listeners (drachtio's `<contacts>`); when given they replace
       * address, port and transports above.
       */
      contacts: z.array(Contact).min(1).optional(),
      /**
       * Certificate and private key (PEM files) for `tls` and `wss` listeners
       * (drachtio's `<tls>`). verifyPeer checks the peer's certificate on TLS
       * connections both ways (drachtio's DRACHTIO_TLS_VERIFY_CLIENT_CERT; off
       * by default there and here), against caFile when given.
       */
      tls: z
        .object({
          certFile: z.string().min(1),
          keyFile: z.string().min(1),
          chainFile: z.string().min(1).optional(),
          verifyPeer: z.boolean().default(false),
          caFile: z.string().min(1).optional(),
        })
        .optional(),
      /** WebSocket ping interval; a peer that does not answer one ping by the next is disconnected. */
      wsPingIntervalMs: z.number().int().min(1000).default(30_000),
    })
    .refine(
      (sip) => sip.tls !== undefined || ![sip.transports, ...(sip.contacts ?? []).map((c) => c.transports)].some((t) => t.includes('wss')),
      { message: 'a wss transport needs tls.certFile and tls.keyFile', path: ['tls'] },
    )
    .refine(
      (sip) => sip.tls !== undefined || ![sip.transports, ...(sip.contacts ?? []).map((c) => c.transports)].some((t) => t.includes('tls')),
      { message: 'a tls transport needs tls.certFile and tls.keyFile', path: ['tls'] },
    )
    .default({
      address: '0.0.0.0',
      port: 5060,
      transports: ['udp', 'tcp'],
      maxMessageBytes: 65_535,
      maxHeaders: 100,
      tcpIdleTimeoutMs: 300_000,
      wsPingIntervalMs: 30_000,
    }),
  admin: z
    .object({
      address: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(9022),
      secret: z.string().min(1).default('cymru'),
    })
    .default({ address: '127.0.0.1', port: 9022, secret: 'cymru' }),
  /** RFC 3261 timer values in milliseconds; tests shorten them. */
  timers: z
    .object({
      t1: z.number().int().min(50).max(10_000).default(500),
      t2: z.number().int().min(500).max(60_000).default(4000),
      t4: z.number().int().min(500).max(60_000).default(5000),
      /** Timer D: how long a client INVITE transaction absorbs retransmitted finals over UDP ("at least 32 s", §17.1.1.2). */
      d: z.number().int().min(1).max(120_000).default(32_000),
    })
    .default({ t1: 500, t2: 4000, t4: 5000, d: 32_000 }),
  /**
   * RFC 4028 session timers, run by the server for every INVITE dialog as
   * drachtio-server does. minSE is our Min-SE in seconds: the RFC's floor is
   * 90 (values down to 1 exist for tests only). defaultRefresher is who
   * refreshes when a caller offers Session-Expires without a refresher
   * (drachtio's `<session-timers default-refresher>`; `none`: no timer for
   * such calls). requestOnOutgoing adds `Session-Expires: defaultInterval`
   * to applications' INVITEs that carry none (drachtio-server does not).
   */
  sessionTimers: z
    .object({
      minSE: z.number().int().min(1).max(86_400).default(90),
      defaultInterval: z.number().int().min(1).max(86_400).default(1800),
      defaultRefresher: z.enum(['none', 'uac', 'uas']).default('none'),
      requestOnOutgoing: z.boolean().default(false),
    })
    .refine((t) => t.defaultInterval >= t.minSE, { message: 'defaultInterval must not be below minSE', path: ['defaultInterval'] })
    .prefault({}),
  /** Value of the Server / User-Agent header on messages the server makes itself. */
  userAgent: z.string().default('dialtone'),
  /**
   * Scanner blocking (drachtio's `<spammers>`): a new request outside any
   * dialog whose header matches one of the values is answered 603 Decline
   * (`reject`) or dropped without an answer (`discard`), before any
   * application sees it. Values are case-insensitive substrings or
   * `/regex/flags`; To and From are matched on their URI's user part, any
   * other header on its whole value. `headers: {}` turns blocking off.
   */
  spammers: z
    .object({
      action: Action.default('reject'),
      /** The action over TCP (drachtio's `tcp-action`); defaults to `action`. */
      tcpAction: Action.optional(),
      headers: z.record(z.string().min(1), z.array(ValuePattern)).default({ 'User-Agent': DEFAULT_SCANNER_USER_AGENTS }),
    })
    .prefault({}),
  /**
   * OPTIONS keep-alives (drachtio's `<user-agent-options-auto-respond>`): an
   * OPTIONS outside any dialog whose User-Agent matches one of these values
   * (case-insensitive substring or `/regex/flags`) is answered 200 OK by the
   * server itself, before any application is asked. Other OPTIONS go to an
   * application that routes OPTIONS, or get 503 when none does.
   */
  optionsAutoRespond: z
    .object({ userAgents: z.array(ValuePattern).default([]) })
    .prefault({}),
});

export type SipServerOptions = z.infer<typeof SipServerOptionsSchema>;
export type SipServerOptionsInput = z.input<typeof SipServerOptionsSchema>;

/** Validates options, turning zod's report into one message that names each bad key. */
export function resolveSipServerOptions(input: SipServerOptionsInput = {}): SipServerOptions {
  const result = SipServerOptionsSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid SIP server options: ${problems.join('; ')}`);
  }
  return result.data;
}
