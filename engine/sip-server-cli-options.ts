import type { SipServerOptionsInput } from '../config/sip-server-options.js';

/** Command-line flags of the SIP server, each with the environment variable that also sets it. */
export const SIP_SERVER_FLAGS = {
  'sip-address': { type: 'string' },
  'sip-port': { type: 'string' },
  transports: { type: 'string' },
  'external-address': { type: 'string' },
  'admin-address': { type: 'string' },
  'admin-port': { type: 'string' },
  secret: { type: 'string' },
  'log-level': { type: 'string' },
} as const;

export const SIP_SERVER_HELP = `  --sip-address ADDR         SIP listen address (DIALTONE_SIP_ADDRESS, default 0.0.0.0)
  --sip-port PORT            SIP port for UDP and TCP; 0 picks one (DIALTONE_SIP_PORT, default 5060)
  --transports LIST          udp,tcp (DIALTONE_SIP_TRANSPORTS, default udp,tcp)
  --external-address ADDR    address written into Via/Contact (DIALTONE_EXTERNAL_ADDRESS)
  --admin-address ADDR       address drachtio-srf applications connect to (DIALTONE_ADMIN_ADDRESS, default 127.0.0.1)
  --admin-port PORT          admin port (DIALTONE_ADMIN_PORT, default 9022)
  --secret SECRET            shared secret (DIALTONE_SECRET or DRACHTIO_SECRET, default cymru)
  --log-level LEVEL          trace|debug|info|warn|error (DIALTONE_LOG_LEVEL, default info)`;

type FlagValues = Partial<Record<keyof typeof SIP_SERVER_FLAGS, string | boolean | undefined>>;

/** Options from flags, falling back to the environment; unparsable numbers are named in the error. */
export function sipServerOptionsFrom(flags: FlagValues, env: NodeJS.ProcessEnv): SipServerOptionsInput {
  const pick = (flag: keyof typeof SIP_SERVER_FLAGS, ...vars: string[]): string | undefined => {
    const v = flags[flag];
    if (typeof v === 'string') return v;
    for (const name of vars) if (env[name] !== undefined && env[name] !== '') return env[name];
    return undefined;
  };
  const port = (text: string | undefined, what: string): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${what} must be a port number 0-65535, got '${text}'`);
    return n;
  };
  const transports = pick('transports', 'DIALTONE_SIP_TRANSPORTS');
  const list = transports?.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  if (list?.some((t) => t !== 'udp' && t !== 'tcp')) throw new Error(`transports must be a list of udp and tcp, got '${transports}'`);
  const sip: NonNullable<SipServerOptionsInput['sip']> = {};
  const admin: NonNullable<SipServerOptionsInput['admin']> = {};
  const sipAddress = pick('sip-address', 'DIALTONE_SIP_ADDRESS');
  if (sipAddress) sip.address = sipAddress;
  const sipPort = port(pick('sip-port', 'DIALTONE_SIP_PORT'), 'sip-port');
  if (sipPort !== undefined) sip.port = sipPort;
  if (list) sip.transports = list as Array<'udp' | 'tcp'>;
  const external = pick('external-address', 'DIALTONE_EXTERNAL_ADDRESS');
  if (external) sip.externalAddress = external;
  const adminAddress = pick('admin-address', 'DIALTONE_ADMIN_ADDRESS');
  if (adminAddress) admin.address = adminAddress;
  const adminPort = port(pick('admin-port', 'DIALTONE_ADMIN_PORT'), 'admin-port');
  if (adminPort !== undefined) admin.port = adminPort;
  const secret = pick('secret', 'DIALTONE_SECRET', 'DRACHTIO_SECRET');
  if (secret) admin.secret = secret;
  return { sip, admin };
}
