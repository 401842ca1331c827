import { parseArgs } from 'node:util';
import { parseDrachtioContact } from '../config/drachtio-contact.js';
import type { SipContact, SipServerOptionsInput } from '../config/sip-server-options.js';

const TRANSPORTS = ['udp', 'tcp', 'tls', 'ws', 'wss'] as const;
type Transport = (typeof TRANSPORTS)[number];

/** Command-line flags of the SIP server, each with the environment variable that also sets it. */
export const SIP_SERVER_FLAGS = {
  file: { type: 'string', short: 'f' },
  'sip-address': { type: 'string' },
  'sip-port': { type: 'string' },
  transports: { type: 'string' },
  'external-address': { type: 'string' },
  contact: { type: 'string', short: 'c', multiple: true },
  'external-ip': { type: 'string', multiple: true },
  'local-net': { type: 'string', multiple: true },
  'key-file': { type: 'string' },
  'cert-file': { type: 'string' },
  'chain-file': { type: 'string' },
  'tls-verify-peer': { type: 'boolean' },
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
  --transports LIST          any of udp,tcp,tls,ws,wss (DIALTONE_SIP_TRANSPORTS, default udp,tcp)
  --external-address ADDR    address written into Via/Contact on every listener (DIALTONE_EXTERNAL_ADDRESS)
  -c, --contact URI          a listener as drachtio's: sip:ADDR[:PORT][;transport=udp,tcp,tls,ws,wss];
                             repeatable; replaces the file's contacts and the address/port/transports flags
    --external-ip ADDR       after a --contact: its address in Via/Contact/Record-Route
    --local-net CIDR         after a --contact: peers in this IPv4 network get the bound address instead
                             (without it: 10/8, 172.16/16, 192.168.0/24 or 127.0.0.1/32 when the
                             advertised address is in one, as drachtio-server assumes)
  --key-file FILE            TLS private key for tls and wss listeners (DIALTONE_TLS_KEY_FILE or DRACHTIO_TLS_KEY_FILE)
  --cert-file FILE           TLS certificate (DIALTONE_TLS_CERT_FILE or DRACHTIO_TLS_CERT_FILE)
  --chain-file FILE          TLS intermediate certificates (DIALTONE_TLS_CHAIN_FILE or DRACHTIO_TLS_CHAIN_FILE)
  --tls-verify-peer          check the peer's certificate on TLS connections, both ways
                             (DIALTONE_TLS_VERIFY_PEER=1 or DRACHTIO_TLS_VERIFY_CLIENT_CERT=1; default off)
  --admin-address ADDR       address drachtio-srf applications connect to (DIALTONE_ADMIN_ADDRESS, default 127.0.0.1)
  --admin-port PORT          admin port (DIALTONE_ADMIN_PORT, default 9022)
  --secret SECRET            shared secret (DIALTONE_SECRET or DRACHTIO_SECRET, default cymru)
  --user-agent-options-auto-respond LIST
                             User-Agents whose OPTIONS get 200 from the server itself, comma-separated
                             (DIALTONE_OPTIONS_USER_AGENTS or DRACHTIO_USER_AGENT_OPTIONS_AUTO_RESPOND)
  --log-level LEVEL          trace|debug|info|warn|error (DIALTONE_LOG_LEVEL, default info)`;

type FlagValues = Partial<Record<keyof typeof SIP_SERVER_FLAGS, string | boolean | string[] | undefined>>;

/**
 * drachtio's `-c URI [--external-ip ADDR] [--local-net CIDR]`, repeated: the
 * listeners named on the command line, in order. --external-ip and
 * --local-net belong to the --contact before them; either one with no
 * contact before it, or twice for one contact, is an error (as in
 * drachtio-server). Undefined when no --contact is given.
 */
export function contactsFromArgs(args: string[]): SipContact[] | undefined {
  const { tokens } = parseArgs({ args, options: { ...SIP_SERVER_FLAGS, help: { type: 'boolean', short: 'h' } }, strict: false, tokens: true });
  const contacts: SipContact[] = [];
  for (const t of tokens) {
    if (t.kind !== 'option' || typeof t.value !== 'string') continue;
    if (t.name === 'contact') {
      contacts.push(parseDrachtioContact(t.value, `--contact ${t.value}`));
      continue;
    }
    if (t.name !== 'external-ip' && t.name !== 'local-net') continue;
    const last = contacts.at(-1);
    if (!last) throw new Error(`--${t.name} must follow a --contact`);
    const key = t.name === 'external-ip' ? 'externalAddress' : 'localNet';
    if (last[key] !== undefined) throw new Error(`--${t.name} is given twice for the contact before it`);
    last[key] = t.value;
  }
  return contacts.length > 0 ? contacts : undefined;
}

function pickFrom(flags: FlagValues, env: NodeJS.ProcessEnv) {
  return (flag: keyof typeof SIP_SERVER_FLAGS, ...vars: string[]): string | undefined => {
    const v = flags[flag];
    if (typeof v === 'string') return v;
    if (v === true) return '1';
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
export function sipServerOptionsFrom(
  flags: FlagValues,
  env: NodeJS.ProcessEnv,
  file: SipServerOptionsInput = {},
  contacts?: SipContact[],
): SipServerOptionsInput {
  const pick = pickFrom(flags, env);
  const port = (text: string | undefined, what: string): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${what} must be a port number 0-65535, got '${text}'`);
    return n;
  };
  const transports = pick('transports', 'DIALTONE_SIP_TRANSPORTS');
  const list = transports?.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  if (list?.some((t) => !(TRANSPORTS as readonly string[]).includes(t))) {
    throw new Error(`transports must be a list of ${TRANSPORTS.join(', ')}, got '${transports}'`);
  }
  const sip: NonNullable<SipServerOptionsInput['sip']> = { ...file.sip };
  // Contacts on the command line replace the file's (drachtio-server does the same).
  if (contacts) sip.contacts = contacts.map((c) => ({ ...c }));
  const admin: NonNullable<SipServerOptionsInput['admin']> = { ...file.admin };
  const listener: { address?: string; port?: number; transports?: Transport[] } = {};
  const sipAddress = pick('sip-address', 'DIALTONE_SIP_ADDRESS');
  if (sipAddress) listener.address = sipAddress;
  const sipPort = port(pick('sip-port', 'DIALTONE_SIP_PORT'), 'sip-port');
  if (sipPort !== undefined) listener.port = sipPort;
  if (list) listener.transports = list as Transport[];
  Object.assign(sip, listener);
  if (sip.contacts) sip.contacts = sip.contacts.map((c) => ({ ...c, ...listener }));
  const external = pick('external-address', 'DIALTONE_EXTERNAL_ADDRESS');
  if (external) sip.externalAddress = external;
  const tls = tlsFrom(pick, sip.tls);
  if (tls) sip.tls = tls;
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

type Pick = (flag: keyof typeof SIP_SERVER_FLAGS, ...vars: string[]) => string | undefined;

/** TLS files and verification from flags and the environment, over the file's `<tls>`. */
function tlsFrom(pick: Pick, fromFile: NonNullable<SipServerOptionsInput['sip']>['tls']): NonNullable<SipServerOptionsInput['sip']>['tls'] {
  const keyFile = pick('key-file', 'DIALTONE_TLS_KEY_FILE', 'DRACHTIO_TLS_KEY_FILE') ?? fromFile?.keyFile;
  const certFile = pick('cert-file', 'DIALTONE_TLS_CERT_FILE', 'DRACHTIO_TLS_CERT_FILE') ?? fromFile?.certFile;
  const chainFile = pick('chain-file', 'DIALTONE_TLS_CHAIN_FILE', 'DRACHTIO_TLS_CHAIN_FILE') ?? fromFile?.chainFile;
  const verify = pick('tls-verify-peer', 'DIALTONE_TLS_VERIFY_PEER', 'DRACHTIO_TLS_VERIFY_CLIENT_CERT');
  if (!keyFile && !certFile) return fromFile;
  if (!keyFile || !certFile) throw new Error('TLS needs both --key-file and --cert-file');
  const verifyPeer = verify === undefined ? fromFile?.verifyPeer : verify === '1' || verify === 'true';
  return {
    ...fromFile,
    keyFile,
    certFile,
    ...(chainFile ? { chainFile } : {}),
    ...(verifyPeer !== undefined ? { verifyPeer } : {}),
  };
}
