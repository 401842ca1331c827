import { isIPv4 } from 'node:net';
import type { HostPort } from './types.js';

/**
 * A listener's addressing, as drachtio-server's `<contact external-ip local-net>`:
 * the address it binds, the public address it advertises, and the network
 * reached directly (where the bound address is advertised instead).
 */
export interface ListenerAddressing {
  local: HostPort;
  externalAddress?: string;
  /** IPv4 CIDR, e.g. `10.0.0.0/8`. */
  localNet?: string;
}

/** An IPv4 network parsed from CIDR text. */
export interface Ipv4Net {
  base: number;
  mask: number;
}

/** Parses `a.b.c.d/n` (n 0-32); undefined when the text is not that. */
export function parseIpv4Cidr(text: string): Ipv4Net | undefined {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(text.trim());
  if (!m || !isIPv4(m[1]!)) return undefined;
  const bits = Number(m[2]);
  if (bits > 32) return undefined;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return { base: (ipv4ToInt(m[1]!) & mask) >>> 0, mask };
}

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((n, octet) => ((n << 8) | Number(octet)) >>> 0, 0);
}

export function inNet(address: string, net: Ipv4Net | undefined): boolean {
  if (!net || !isIPv4(address)) return false;
  return ((ipv4ToInt(address) & net.mask) >>> 0) === net.base;
}

/**
 * The local network of a listener: its `localNet`, else the one
 * drachtio-server assumes from the advertised address (the external one
 * when set, else the bound one): 127.0.0.1/32, 192.168.0.0/24 for
 * 192.168.0.x, 172.16.0.0/16 for 172.16.x.x, 10.0.0.0/8 for 10.x.x.x.
 */
export function localNetOf(l: ListenerAddressing): Ipv4Net | undefined {
  if (l.localNet) return parseIpv4Cidr(l.localNet);
  const host = l.externalAddress ?? l.local.address;
  if (host === '127.0.0.1') return parseIpv4Cidr('127.0.0.1/32');
  if (host.startsWith('192.168.0.')) return parseIpv4Cidr('192.168.0.0/24');
  if (host.startsWith('172.16.')) return parseIpv4Cidr('172.16.0.0/16');
  if (host.startsWith('10.')) return parseIpv4Cidr('10.0.0.0/8');
  return undefined;
}

/**
 * Whether a message to `remote` advertises the listener's external address:
 * yes when it has one, unless `remote` is inside its local network (then the
 * bound address is reachable and used). With no remote known, the external
 * address is used.
 */
export function advertisesExternal(l: ListenerAddressing, remote: string | undefined): boolean {
  if (!l.externalAddress) return false;
  return remote === undefined || !inNet(remote, localNetOf(l));
}

function leadingOctetsInCommon(a: string, b: string): number {
  if (!isIPv4(a) || !isIPv4(b)) return 0;
  const x = a.split('.');
  const y = b.split('.');
  let n = 0;
  while (n < 4 && x[n] === y[n]) n++;
  return n;
}

/**
 * Of several listeners of one protocol, the one a request to `remote` leaves
 * from, in drachtio-server's order of preference: one whose local network
 * holds the destination, then the one sharing most leading octets with it,
 * then one with an external address, then any but loopback. Ties keep the
 * configured order.
 */
export function chooseListener<T extends ListenerAddressing>(candidates: T[], remote: string | undefined): T | undefined {
  if (candidates.length <= 1 || remote === undefined) return candidates[0];
  const score = (l: T): number[] => [
    inNet(remote, localNetOf(l)) ? 1 : 0,
    leadingOctetsInCommon(remote, l.local.address),
    l.externalAddress ? 1 : 0,
    l.local.address === '127.0.0.1' || l.local.address === '::1' ? 0 : 1,
  ];
  let best = candidates[0]!;
  let bestScore = score(best);
  for (const c of candidates.slice(1)) {
    const s = score(c);
    const i = s.findIndex((v, k) => v !== bestScore[k]);
    if (i >= 0 && s[i]! > bestScore[i]!) {
      best = c;
      bestScore = s;
    }
  }
  return best;
}
