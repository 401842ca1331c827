import type { SipServerOptionsInput } from '../config/sip-server-options.js';

/** Command-line flags of the SIP server, each with the environment variable that also sets it. */
export const SIP_SERVER_FLAGS = {
  file: { type: 'string', short: 'f' },
  'sip-address': { type: 'string' },
  'sip-port': { type: 'string' },
  transports: { type: 'string' },
  'external-address': { type: 'string' },
  'admin-address': { type: 'string' },
  'admin-port': { type: 'string' },
  secret: { type: 'string' },
  'user-agent-options-auto-respond': { type: 'string' },
  'log-level': { type: 'string' },
} as const;

export const SIP_SERVER_HELP = `  -f, --file FILE            drachtio-server XML configuration file (DIALTONE_SIP_CONFIG_FILE
                             or DRACHTIO_CONFIG_FILE_PATH); flags and environment override it
  --sip-address ADDR         SIP listen address (DIALTONE_SIP_ADDRESS, default 0.0.0.0)
  --sip-port PORT            SIP port for UDP and TCP; 0 picks one (DIALTONE_SIP_PORT, default 5060)
  --transports LIST          udp,tcp (DIALTONE_SIP_TRANSPORTS, default udp,tcp)
  --external-address ADDR    address written into Via/Contact (DIALTONE_EXTERNAL_ADDRESS)
  --admin-address ADDR       address drachtio-srf applications connect to (DIALTONE_ADMIN_ADDRESS, default 127.0.0.1)
  --admin-port PORT          admin port (DIALTONE_ADMIN_PORT, default 9022)
  --secret SECRET            shared secret (DIALTONE_SECRET or DRACHTIO_SECRET, default cymru)
  --user-agent-options-auto-respond LIST
                             User-Agents whose OPTIONS get 200 from the server itself, comma-separated
                             (DIALTONE_OPTIONS_USER_AGENTS or DRACHTIO_USER_AGENT_OPTIONS_AUTO_RESPOND)
  --log-level LEVEL          trace|debug|info|warn|error (DIALTONE_LOG_LEVEL, default info)`;

type FlagValues = Partial<Record<keyof typeof SIP_SERVER_FLAGS, string | boolean | undefined>>;

function pickFrom(flags: FlagValues, env: NodeJS.ProcessEnv) {
  return (flag: keyof typeof SIP_SERVER_FLAGS, ...vars: string[]): string | undefined => {
    const v = flags[flag];
    if (typeof v === 'string') return v;
    for (const name of vars) if (env[name] !== undefined && env[name] !== '') return env[name];
    return undefined;
  };
}

/** The configuration file named by --file or the environment, if any. */
export function sipServerConfigFile(flags: FlagValues, env: NodeJS.ProcessEnv): string | undefined {
  return pickFrom(flags, env)('file', 'DIALTONE_SIP_CONFIG_FILE', 'DRACHTIO_CONFIG_FILE_PATH');
}

/** The log level: flag, then DIALTONE_LOG_LEVEL, then the file's. */
export function sipServerLogLevel(flags: FlagValues, env: NodeJS.ProcessEnv, fromFile?: string): string | undefined {
  return pickFrom(flags, env)('log-level', 'DIALTONE_LOG_LEVEL') ?? fromFile;
}

/**
 * Options from flags, then the environment, then the configuration file
 * (`file`), then the defaults. An address, port or transport list from flags
 * or the environment applies to every contact of the file. Unparsable
 * numbers are named in the error.
 */
export function sipServerOptionsFrom(flags: FlagValues, env: NodeJS.ProcessEnv, file: SipServerOptionsInput = {}): SipServerOptionsInput {
  const pick = pickFrom(flags, env);
  const port = (text: string | undefined, what: string): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${what} must be a port number 0-65535, got '${text}'`);
    return n;
  };
  const transports = pick('transports', 'DIALTONE_SIP_TRANSPORTS');
  const list = transports?.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  if (list?.some((t) => t !== 'udp' && t !== 'tcp')) throw new Error(`transports must be a list of udp and tcp, got '${transports}'`);
  const sip: NonNullable<SipServerOptionsInput['sip']> = { ...file.sip };
  const admin: NonNullable<SipServerOptionsInput['admin']> = { ...file.admin };
  const listener: { address?: string; port?: number; transports?: Array<'udp' | 'tcp'> } = {};
  const sipAddress = pick('sip-address', 'DIALTONE_SIP_ADDRESS');
  if (sipAddress) listener.address = sipAddress;
  const sipPort = port(pick('sip-port', 'DIALTONE_SIP_PORT'), 'sip-port');
  if (sipPort !== undefined) listener.port = sipPort;
  if (list) listener.transports = list as Array<'udp' | 'tcp'>;
  Object.assign(sip, listener);
  if (sip.contacts) sip.contacts = sip.contacts.map((c) => ({ ...c, ...listener }));
  const external = pick('external-address', 'DIALTONE_EXTERNAL_ADDRESS');
  if (external) sip.externalAddress = external;
  const adminAddress = pick('admin-address', 'DIALTONE_ADMIN_ADDRESS');
  if (adminAddress) admin.address = adminAddress;
  const adminPort = port(pick('admin-port', 'DIALTONE_ADMIN_PORT'), 'admin-port');
  if (adminPort !== undefined) admin.port = adminPort;
  const secret = pick('secret', 'DIALTONE_SECRET', 'DRACHTIO_SECRET');
  if (secret) admin.secret = secret;
  const options: SipServerOptionsInput = { ...file, sip, admin };
  const userAgents = pick('user-agent-options-auto-respond', 'DIALTONE_OPTIONS_USER_AGENTS', 'DRACHTIO_USER_AGENT_OPTIONS_AUTO_RESPOND');
  if (userAgents) options.optionsAutoRespond = { userAgents: userAgents.split(',').map((u) => u.trim()).filter(Boolean) };
  return options;
}
