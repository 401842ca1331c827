import type { BoundTransport } from './sipstack/transport/transport-layer.js';

const PROTOCOLS = new Set(['udp', 'tcp', 'tls', 'ws', 'wss']);

/**
 * The SIP listeners a drachtio server reports when an application connects
 * (`udp/10.0.0.5:5060,tcp/10.0.0.5:5060,...`; IPv6 addresses in brackets).
 * Entries that do not parse are left out.
 */
export function listenersFromHostport(hostport: string | undefined): BoundTransport[] {
  if (!hostport) return [];
  const listeners: BoundTransport[] = [];
  for (const entry of hostport.split(',')) {
    const m = /^([a-z]+)\/(?:\[([^\]]+)\]|([^:/]+)):(\d+)$/i.exec(entry.trim());
    if (!m) continue;
    const protocol = m[1]!.toLowerCase();
    if (!PROTOCOLS.has(protocol)) continue;
    listeners.push({
      protocol: protocol as BoundTransport['protocol'],
      local: { address: m[2] ?? m[3]!, port: Number(m[4]) },
    });
  }
  return listeners;
}
