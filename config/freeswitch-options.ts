import { z } from 'zod';

/**
 * media.freeswitch: FreeSWITCH servers driven through drachtio-fsmrf, used
 * when media.driver is 'freeswitch' (media/freeswitch).
 */

const WILDCARD = new Set(['0.0.0.0', '::']);

export const FreeSwitchServerSchema = z.object({
  /** Host of FreeSWITCH's event socket (mod_event_socket). */
  address: z.string().min(1),
  port: z.number().int().min(1).max(65_535).default(8021),
  /** The event socket password (event_socket.conf.xml). */
  secret: z.string().min(1),
  /** Port of the listener for this server's per-call connections; default listenPort + the server's index. */
  listenPort: z.number().int().min(0).max(65_535).optional(),
});

export const FreeSwitchOptionsSchema = z
  .object({
    servers: z.array(FreeSwitchServerSchema).min(1, 'at least one FreeSWITCH server is required'),
    /** The sofia profile endpoints are created on; its dialplan must hand calls to `socket <X-esl-outbound> async full`. */
    profile: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'may hold only letters, digits, . _ -')
      .default('drachtio_mrf'),
    /** Where the engine listens for FreeSWITCH's per-call event socket connections. */
    listenAddress: z.string().min(1).default('127.0.0.1'),
    /** 0 lets the system choose; with several servers the next ones use the ports after it. */
    listenPort: z.number().int().min(0).max(65_535).default(0),
    /** Address FreeSWITCH connects back to; required when listenAddress is a wildcard. */
    advertisedAddress: z.string().min(1).optional(),
    /** Which server takes a new endpoint: the one with fewest endpoints, or each in turn. */
    selection: z.enum(['least-loaded', 'round-robin']).default('least-loaded'),
    /** How often an unreachable server is tried again. */
    reconnectIntervalMs: z.number().int().min(100).max(300_000).default(2000),
    /**
     * Base URL FreeSWITCH fetches prompts from (the engine's HTTP server, path /media);
     * by default the engine's own HTTP address (http.publicUrl when set).
     */
    promptsUrl: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).optional(),
    /**
     * Directory FreeSWITCH writes recordings to, on its host; unset, FreeSWITCH writes
     * straight into the engine's recordings directory (FreeSWITCH on the engine's host).
     */
    recordingsDir: z.string().min(1).optional(),
    /** recordingsDir as the engine sees it (a shared volume); default recordingsDir itself. */
    recordingsEngineDir: z.string().min(1).optional(),
    /** In-band DTMF detection (spandsp_start_dtmf, or start_dtmf without mod_spandsp): 'auto' when the peer has no telephone-event. */
    inbandDtmf: z.enum(['auto', 'always', 'never']).default('auto'),
  })
  .superRefine((fs, ctx) => {
    if (WILDCARD.has(fs.listenAddress) && fs.advertisedAddress === undefined) {
      ctx.addIssue({ code: 'custom', path: ['advertisedAddress'], message: `required when listenAddress is ${fs.listenAddress}: FreeSWITCH must be told where to connect` });
    }
    if (fs.recordingsEngineDir !== undefined && fs.recordingsDir === undefined) {
      ctx.addIssue({ code: 'custom', path: ['recordingsDir'], message: 'required with recordingsEngineDir' });
    }
    const ports = new Set<number>();
    fs.servers.forEach((s, i) => {
      const port = s.listenPort ?? (fs.listenPort === 0 ? 0 : fs.listenPort + i);
      if (port !== 0 && ports.has(port)) ctx.addIssue({ code: 'custom', path: ['servers', i, 'listenPort'], message: `listener port ${port} is used by another server` });
      if (port > 65_535) ctx.addIssue({ code: 'custom', path: ['listenPort'], message: 'leaves no room for the ports of the later servers' });
      ports.add(port);
    });
  });

export type FreeSwitchOptions = z.infer<typeof FreeSwitchOptionsSchema>;
