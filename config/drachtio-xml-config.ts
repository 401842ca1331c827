import { readFile } from 'node:fs/promises';
import { resolveSipServerOptions, type SipContact, type SipServerOptionsInput } from './sip-server-options.js';
import { parseDrachtioContact } from './drachtio-contact.js';
import { parseXmlTree, type XmlElement } from './xml-element-tree.js';

/**
 * drachtio-server's XML configuration file (`drachtio -f drachtio.conf.xml`)
 * read as embedded SIP server options: `<admin>`, `<sip><contacts>` (or the
 * older single `<sip><contact>`; udp, tcp, tls, ws and wss, each with its
 * own external-ip and local-net),
 * `<sip><tls>` (key-file, cert-file, chain-file), `<sip><timers>`,
 * `<sip><spammers>`, `<sip><user-agent-options-auto-respond>`,
 * `<sip><session-timers>` and
 * `<logging><loglevel>`. Elements the embedded server has no use for are
 * reported as warnings and otherwise ignored.
 */
export interface DrachtioXmlConfig {
  options: SipServerOptionsInput;
  /** pino level from `<logging><loglevel>`, when given. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** One line per element or attribute that was ignored. */
  warnings: string[];
}

export class DrachtioConfigError extends Error {}

/** drachtio's log levels and the pino level each becomes. */
const LOG_LEVELS: Record<string, DrachtioXmlConfig['logLevel']> = {
  debug: 'debug', info: 'info', notice: 'info', warning: 'warn', error: 'error',
};

/** Elements drachtio-server knows that the embedded server does without, and why. */
const NOT_SUPPORTED: Record<string, string> = {
  'drachtio.request-handlers': 'outbound connections (HTTP routing) are not supported',
  'drachtio.monitoring': 'Prometheus monitoring is not supported',
  'drachtio.cdrs': 'cdr events go to every application that asks for them',
  'drachtio.sip.outbound-proxy': 'not supported',
  'drachtio.sip.capture-server': 'HEP capture is not supported',
  'drachtio.sip.tls.dh-param': 'Diffie-Hellman parameters are chosen by Node.js',
  'drachtio.sip.tls.min-tls-version': 'Node.js\'s minimum TLS version applies',
  'drachtio.sip.udp-mtu': 'not supported',
  'drachtio.sip.mtu-size': 'not supported',
  'drachtio.sip.udp-buffer-size': 'not supported',
  'drachtio.sip.blacklist': 'the Redis blacklist is not supported',
  'drachtio.sip.aggressive-nat-detection': 'not supported',
  'drachtio.sip.reject-register-with-no-realm': 'not supported',
  'drachtio.logging.file': 'logs go to standard output',
  'drachtio.logging.syslog': 'logs go to standard output',
  'drachtio.logging.sofia-loglevel': 'not applicable',
};

/** Reads and converts a drachtio XML configuration file; every error names the file. */
export async function loadDrachtioXmlConfig(file: string): Promise<DrachtioXmlConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new DrachtioConfigError(`${file}: cannot read configuration file: ${(err as Error).message}`);
  }
  return parseDrachtioXmlConfig(text, file);
}

export function parseDrachtioXmlConfig(text: string, file = 'configuration'): DrachtioXmlConfig {
  let root: XmlElement;
  try {
    root = parseXmlTree(text);
  } catch (err) {
    throw new DrachtioConfigError(`${file}: ${(err as Error).message}`);
  }
  if (root.name !== 'drachtio') throw new DrachtioConfigError(`${file}: the root element must be <drachtio>, found <${root.name}>`);
  const reader = new Reader(file);
  const result = reader.read(root);
  try {
    resolveSipServerOptions(result.options);
  } catch (err) {
    throw new DrachtioConfigError(`${file}: ${(err as Error).message}`);
  }
  return result;
}

class Reader {
  readonly warnings: string[] = [];
  private readonly options: SipServerOptionsInput = {};
  private logLevel?: DrachtioXmlConfig['logLevel'];

  constructor(private readonly file: string) {}

  read(root: XmlElement): DrachtioXmlConfig {
    this.each(root, 'drachtio', {
      admin: (e) => this.admin(e),
      sip: (e) => this.each(e, 'drachtio.sip', {
        contacts: (c) => this.each(c, 'drachtio.sip.contacts', { contact: (x) => this.contact(x) }),
        contact: (x) => this.contact(x),
        tls: (t) => this.tls(t),
        timers: (t) => this.timers(t),
        spammers: (s) => this.spammers(s),
        'user-agent-options-auto-respond': (u) => this.optionsUserAgent(u),
        'session-timers': (s) => this.sessionTimers(s),
      }),
      logging: (e) => this.each(e, 'drachtio.logging', {
        loglevel: (l) => this.logLevelOf(l),
        console: () => undefined,
      }),
    });
    if (!root.children.some((c) => c.name === 'admin')) {
      this.warnings.push('<admin> is missing: the admin port takes its defaults (127.0.0.1:9022)');
    }
    return { options: this.options, logLevel: this.logLevel, warnings: this.warnings };
  }

  /** Calls the handler of each known child; warns about the others. */
  private each(parent: XmlElement, path: string, handlers: Record<string, (e: XmlElement) => void>): void {
    for (const child of parent.children) {
      const childPath = `${path}.${child.name}`;
      const handler = handlers[child.name];
      if (handler) handler(child);
      else if (NOT_SUPPORTED[childPath]) this.warnings.push(`<${childPath}> ignored: ${NOT_SUPPORTED[childPath]}`);
      else this.warnings.push(`<${childPath}> is not a known element: ignored`);
    }
  }

  private fail(text: string): never {
    throw new DrachtioConfigError(`${this.file}: ${text}`);
  }

  private admin(e: XmlElement): void {
    const admin: NonNullable<SipServerOptionsInput['admin']> = {};
    if (e.text) admin.address = e.text;
    if (e.attrs.port !== undefined) admin.port = this.number(e.attrs.port, '<admin port>');
    // drachtio-server's secret when the attribute is missing is "admin".
    admin.secret = e.attrs.secret ?? 'admin';
    for (const name of Object.keys(e.attrs)) {
      if (!['port', 'secret'].includes(name)) this.warnings.push(`<admin ${name}> ignored: not supported`);
    }
    this.options.admin = admin;
  }

  /** `<contact external-ip="203.0.113.5" local-net="10.0.0.0/8">sip:10.0.0.5;transport=udp</contact>`. */
  private contact(e: XmlElement): void {
    const contact = this.contactUri(e.text);
    const sip = (this.options.sip ??= {});
    const external = e.attrs['external-ip'];
    if (external) contact.externalAddress = external;
    const localNet = e.attrs['local-net'];
    if (localNet) contact.localNet = localNet;
    (sip.contacts ??= []).push(contact);
    for (const name of Object.keys(e.attrs)) {
      if (name !== 'external-ip' && name !== 'local-net') this.warnings.push(`<contact ${name}> ignored on ${e.text}: not supported`);
    }
  }

  private contactUri(text: string): SipContact {
    try {
      return parseDrachtioContact(text, `<contact>${text}</contact>`);
    } catch (err) {
      this.fail((err as Error).message);
    }
  }

  /** `<tls><key-file/><cert-file/><chain-file/></tls>`: the certificate tls and wss listeners serve. */
  private tls(e: XmlElement): void {
    const files: { keyFile?: string; certFile?: string; chainFile?: string } = {};
    this.each(e, 'drachtio.sip.tls', {
      'key-file': (k) => { files.keyFile = k.text; },
      'cert-file': (c) => { files.certFile = c.text; },
      'chain-file': (c) => { files.chainFile = c.text || undefined; },
    });
    if (!files.keyFile || !files.certFile) this.fail('<tls> needs both <key-file> and <cert-file>');
    (this.options.sip ??= {}).tls = { keyFile: files.keyFile, certFile: files.certFile, ...(files.chainFile ? { chainFile: files.chainFile } : {}) };
  }

  private timers(e: XmlElement): void {
    const timers: NonNullable<SipServerOptionsInput['timers']> = {};
    this.each(e, 'drachtio.sip.timers', {
      t1: (t) => { timers.t1 = this.number(t.text, '<timers><t1>'); },
      t2: (t) => { timers.t2 = this.number(t.text, '<timers><t2>'); },
      t4: (t) => { timers.t4 = this.number(t.text, '<timers><t4>'); },
      t1x64: () => this.warnings.push('<drachtio.sip.timers.t1x64> ignored: timers B, F, H and J are 64*T1'),
    });
    this.options.timers = timers;
  }

  /** drachtio's `<spammers action tcp-action><header name><value>`: both actions default to discard there. */
  private spammers(e: XmlElement): void {
    const action = this.action(e.attrs.action, 'action');
    const tcpAction = this.action(e.attrs['tcp-action'], 'tcp-action');
    const headers: Record<string, string[]> = {};
    this.each(e, 'drachtio.sip.spammers', {
      header: (h) => {
        const name = h.attrs.name;
        if (!name) {
          this.warnings.push('<spammers><header> without a name attribute ignored');
          return;
        }
        const values: string[] = [];
        this.each(h, 'drachtio.sip.spammers.header', { value: (v) => { if (v.text) values.push(v.text); } });
        headers[name] = [...(headers[name] ?? []), ...values];
      },
    });
    this.options.spammers = { action, tcpAction, headers };
  }

  private action(value: string | undefined, attr: string): 'reject' | 'discard' {
    if (value === undefined) return 'discard';
    if (value === 'reject' || value === 'discard') return value;
    this.fail(`<spammers ${attr}="${value}">: must be reject or discard`);
  }

  /**
   * drachtio's `<session-timers default-refresher="none|uac|uas"/>`: who
   * refreshes when a caller offers Session-Expires without a refresher. A
   * value drachtio-server does not know falls back to none, as there.
   */
  private sessionTimers(e: XmlElement): void {
    const value = (e.attrs['default-refresher'] ?? 'none').toLowerCase();
    for (const name of Object.keys(e.attrs)) {
      if (name !== 'default-refresher') this.warnings.push(`<session-timers ${name}> ignored: not supported`);
    }
    if (value === 'none' || value === 'uac' || value === 'uas') {
      this.options.sessionTimers = { ...this.options.sessionTimers, defaultRefresher: value };
      return;
    }
    this.warnings.push(`<session-timers default-refresher="${value}"> is not none, uac or uas: none is used`);
    this.options.sessionTimers = { ...this.options.sessionTimers, defaultRefresher: 'none' };
  }

  private optionsUserAgent(e: XmlElement): void {
    if (!e.text) return;
    const auto = (this.options.optionsAutoRespond ??= {});
    auto.userAgents = [...(auto.userAgents ?? []), e.text];
  }

  private logLevelOf(e: XmlElement): void {
    const level = LOG_LEVELS[e.text.toLowerCase()];
    if (level) this.logLevel = level;
    else this.warnings.push(`<logging><loglevel>${e.text}</loglevel> is not one of notice, error, warning, info, debug: ignored`);
  }

  private number(text: string, what: string): number {
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n) || n < 0) this.fail(`${what} must be a whole number, got '${text}'`);
    return n;
  }
}
