import { z } from 'zod';

/** Options of the embedded SIP server, as a drachtio-server replacement. */
export const SipServerOptionsSchema = z.object({
  sip: z
    .object({
      /** Address the SIP transports bind to. */
      address: z.string().min(1).default('0.0.0.0'),
      /** SIP port for every transport; 0 picks a free one (logged). */
      port: z.number().int().min(0).max(65535).default(5060),
      transports: z.array(z.enum(['udp', 'tcp'])).min(1).default(['udp', 'tcp']),
      /** Address written into Via, Contact and Record-Route; defaults to the bound address or the first interface. */
      externalAddress: z.string().min(1).optional(),
      maxMessageBytes: z.number().int().min(1024).max(1 << 20).default(65_535),
      maxHeaders: z.number().int().min(10).max(1000).default(100),
      tcpIdleTimeoutMs: z.number().int().min(1000).default(300_000),
    })
    .default({
      address: '0.0.0.0',
      port: 5060,
      transports: ['udp', 'tcp'],
      maxMessageBytes: 65_535,
      maxHeaders: 100,
      tcpIdleTimeoutMs: 300_000,
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
  /** Value of the Server / User-Agent header on messages the server makes itself. */
  userAgent: z.string().default('dialtone'),
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
