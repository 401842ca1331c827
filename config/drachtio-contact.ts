import type { SipContact } from './sip-server-options.js';

/** Transports a drachtio contact may name. */
const CONTACT_TRANSPORTS = new Set(['udp', 'tcp', 'tls', 'ws', 'wss']);

/**
 * A contact without a port: WebSocket's own ports (RFC 6455 §3) for ws or wss
 * alone, SIP over TLS's 5061 (RFC 3261 §26.2.2) for tls alone, else SIP's 5060.
 */
function defaultPort(transports: string[]): number {
  if (transports.every((t) => t === 'ws')) return 80;
  if (transports.every((t) => t === 'wss')) return 443;
  if (transports.every((t) => t === 'tls')) return 5061;
  return 5060;
}

/**
 * drachtio-server's contact URI (`<contact>` in its XML, `-c` on its command
 * line) as a listener: `sip:*:5060;transport=udp,tcp`, `sip:192.168.1.100`,
 * `sip:[::1]:5070;transport=tcp`, `sips:10.0.0.5` (TLS on 5061). Errors name
 * the contact as `label` says (`<contact>...</contact>`, `--contact ...`).
 */
export function parseDrachtioContact(text: string, label: string): SipContact {
  const m = /^(sips?):(?:[^@;]*@)?(\[[0-9a-fA-F:.]+\]|[^:;[\]]+)(?::(\d+))?((?:;[^;]*)*)$/.exec(text.trim());
  if (!m) throw new Error(`${label} is not a SIP URI such as sip:*:5060;transport=udp,tcp`);
  const [, scheme, rawHost, rawPort, rawParams] = m as unknown as [string, string, string, string | undefined, string];
  const params = new Map(rawParams.split(';').filter(Boolean).map((p) => {
    const [k = '', v = ''] = p.split('=');
    return [k.trim().toLowerCase(), v.trim()] as const;
  }));
  const transport = params.get('transport');
  const wanted = transport !== undefined ? transport.toLowerCase().split(',').map((t) => t.trim()).filter(Boolean) : scheme === 'sips' ? ['tls'] : ['udp', 'tcp'];
  const unsupported = wanted.filter((t) => !CONTACT_TRANSPORTS.has(t));
  if (unsupported.length > 0 || wanted.length === 0) {
    throw new Error(`${label}: transport ${unsupported.join(',') || '(none)'} is not supported; contacts may use udp, tcp, tls, ws and wss`);
  }
  const host = rawHost === '*' ? '0.0.0.0' : rawHost.replace(/^\[|\]$/g, '');
  let port = defaultPort(wanted);
  if (rawPort !== undefined) {
    port = Number(rawPort);
    if (!Number.isInteger(port) || port > 65535) throw new Error(`${label} port must be a whole number, got '${rawPort}'`);
  }
  return { address: host, port, transports: [...new Set(wanted)] as SipContact['transports'] };
}
