import os from 'node:os';
import { isIPv6 } from 'node:net';
import { advertisesExternal, chooseListener } from '../transport/listener-choice.js';
import type { BoundTransport } from '../transport/transport-layer.js';
import type { HostPort, TransportProtocol } from '../transport/types.js';

/**
 * Who a message goes to: a protocol alone, or the target it is sent to (the
 * peer's address decides between external and local address, and the
 * listener it leaves from when there are several).
 */
export type Reach = TransportProtocol | { protocol: TransportProtocol; remote?: HostPort; local?: HostPort };

/**
 * The addresses the server writes into Via, Contact and Record-Route. Each
 * listener advertises its external address (drachtio's external-ip, per
 * contact or for all), except to peers inside its local network (local-net)
 * which get the bound address; a wildcard bind advertises the first
 * non-internal IPv4 interface, else loopback.
 */
export class LocalAddress {
  private readonly host: string;

  constructor(
    private readonly transports: BoundTransport[],
    private readonly externalAddress?: string,
  ) {
    this.host = this.hostOf(transports[0], undefined);
  }

  /** host, bracketed when IPv6, for messages with no particular peer */
  get hostText(): string {
    return bracket(this.host);
  }

  /** The host (bracketed when IPv6) a message to `reach` advertises. */
  hostFor(reach: Reach): string {
    const r = normalize(reach);
    return bracket(this.hostOf(this.listener(r), r.remote?.address));
  }

  port(reach: Reach): number {
    return this.listener(normalize(reach))?.local.port ?? 5060;
  }

  /** host:port of the listener a message to `reach` leaves from, as advertised to that peer. */
  hostport(reach: Reach): string {
    const r = normalize(reach);
    const l = this.listener(r);
    return `${bracket(this.hostOf(l, r.remote?.address))}:${l?.local.port ?? 5060}`;
  }

  /** The listener a message to `reach` leaves from: the one named, else the one chosen for the peer. */
  listener(r: { protocol: TransportProtocol; remote?: HostPort; local?: HostPort }): BoundTransport | undefined {
    const same = this.transports.filter((t) => t.protocol === r.protocol);
    if (r.local) {
      const named = same.find((t) => t.local.port === r.local!.port && (t.local.address === r.local!.address || isWildcard(t.local.address)));
      if (named) return named;
    }
    return chooseListener(same, r.remote?.address) ?? this.transports[0];
  }

  private hostOf(t: BoundTransport | undefined, remote: string | undefined): string {
    const external = t?.externalAddress ?? this.externalAddress;
    if (t && advertisesExternal({ ...t, externalAddress: external }, remote)) return external!;
    if (!t && external) return external;
    const bound = t?.local.address ?? '127.0.0.1';
    return isWildcard(bound) ? firstInterfaceAddress() : bound;
  }

  /** Our Via for a request sent to `reach` (RFC 3261 §8.1.1.7 and §18.1.1, with rport per RFC 3581). */
  via(reach: Reach, branch: string): string {
    const r = normalize(reach);
    return `SIP/2.0/${r.protocol.toUpperCase()} ${this.hostport(r)};rport;branch=${branch}`;
  }

  /**
   * A Contact (or Record-Route) URI reaching this server over the protocol of
   * `reach`. `secure` gives a sips: URI (RFC 3261 §8.1.1.8 and §12.1.1: a
   * request or dialog with a SIPS URI gets a SIPS Contact); it implies TLS,
   * so it carries no transport parameter.
   */
  contactUri(reach: Reach, user?: string, opts: { secure?: boolean } = {}): string {
    const r = normalize(reach);
    const u = user ? `${user}@` : '';
    if (opts.secure && r.protocol === 'tls') return `sips:${u}${this.hostport(r)}`;
    const t = r.protocol === 'udp' ? '' : `;transport=${r.protocol}`;
    return `sip:${u}${this.hostport(r)}${t}`;
  }

  /** drachtio's list of SIP endpoints: `udp/1.2.3.4:5060,tcp/1.2.3.4:5060` (external addresses where set). */
  hostports(): string {
    return this.transports.map((t) => `${t.protocol}/${bracket(this.hostOf(t, undefined))}:${t.local.port}`).join(',');
  }

  /** Is this host:port one of ours (for stripping a Route that points at us)? */
  isLocal(host: string, port: number | undefined): boolean {
    const h = host.replace(/^\[|\]$/g, '');
    const local = h === this.host || h === '127.0.0.1' || h === '::1' || h === 'localhost' || h === this.externalAddress ||
      this.transports.some((t) => t.local.address === h || t.externalAddress === h);
    if (!local) return false;
    return port === undefined ? this.transports.some((t) => t.local.port === 5060) : this.transports.some((t) => t.local.port === port);
  }
}

function normalize(reach: Reach): { protocol: TransportProtocol; remote?: HostPort; local?: HostPort } {
  return typeof reach === 'string' ? { protocol: reach } : reach;
}

function bracket(host: string): string {
  return isIPv6(host) ? `[${host}]` : host;
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/** How long the first interface's address is reused before the interfaces are read again. */
const INTERFACE_TTL_MS = 10_000;
let firstInterface: { address: string; readAt: number } | undefined;

/**
 * The address a wildcard listener writes into Via and Contact: the first
 * non-internal IPv4 interface. Reading the interfaces is a system call; it
 * is done at most every INTERFACE_TTL_MS, not for every message.
 */
function firstInterfaceAddress(): string {
  const now = Date.now();
  if (firstInterface && now - firstInterface.readAt < INTERFACE_TTL_MS) return firstInterface.address;
  let address = '127.0.0.1';
  search: for (const list of Object.values(os.networkInterfaces())) {
    for (const i of list ?? []) {
      if (i.family === 'IPv4' && !i.internal) {
        address = i.address;
        break search;
      }
    }
  }
  firstInterface = { address, readAt: now };
  return address;
}
