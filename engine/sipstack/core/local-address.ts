import os from 'node:os';
import { isIPv6 } from 'node:net';
import type { BoundTransport } from '../transport/transport-layer.js';
import type { TransportProtocol } from '../transport/types.js';

/**
 * The addresses the server writes into Via, Contact and Record-Route: the
 * configured external address, else the bound address, else (when bound to
 * a wildcard) the first non-internal IPv4 interface, else loopback.
 */
export class LocalAddress {
  private readonly host: string;

  constructor(
    private readonly transports: BoundTransport[],
    private readonly externalAddress?: string,
  ) {
    this.host = this.hostOf(transports[0]);
  }

  /** host, bracketed when IPv6 */
  get hostText(): string {
    return bracket(this.host);
  }

  port(protocol: TransportProtocol): number {
    return this.listener(protocol)?.local.port ?? 5060;
  }

  /**
   * host:port of the listener a request over `protocol` leaves from (the
   * first of that protocol): with several contacts on different addresses,
   * each protocol names its own.
   */
  hostport(protocol: TransportProtocol): string {
    return `${bracket(this.hostOf(this.listener(protocol)))}:${this.port(protocol)}`;
  }

  private listener(protocol: TransportProtocol): BoundTransport | undefined {
    return this.transports.find((t) => t.protocol === protocol) ?? this.transports[0];
  }

  private hostOf(t: BoundTransport | undefined): string {
    if (this.externalAddress) return this.externalAddress;
    const bound = t?.local.address ?? '127.0.0.1';
    return isWildcard(bound) ? firstInterfaceAddress() : bound;
  }

  /** Our Via for a request sent over `protocol` (RFC 3261 §8.1.1.7, with rport per RFC 3581). */
  via(protocol: TransportProtocol, branch: string): string {
    return `SIP/2.0/${protocol.toUpperCase()} ${this.hostport(protocol)};rport;branch=${branch}`;
  }

  /** A Contact URI reaching this server over `protocol`. */
  contactUri(protocol: TransportProtocol, user?: string): string {
    const u = user ? `${user}@` : '';
    const t = protocol === 'udp' ? '' : `;transport=${protocol}`;
    return `sip:${u}${this.hostport(protocol)}${t}`;
  }

  /** drachtio's list of SIP endpoints: `udp/1.2.3.4:5060,tcp/1.2.3.4:5060`. */
  hostports(): string {
    return this.transports.map((t) => `${t.protocol}/${bracket(this.hostOf(t))}:${t.local.port}`).join(',');
  }

  /** Is this host:port one of ours (for stripping a Route that points at us)? */
  isLocal(host: string, port: number | undefined): boolean {
    const h = host.replace(/^\[|\]$/g, '');
    const local = h === this.host || h === '127.0.0.1' || h === '::1' || h === 'localhost' ||
      this.transports.some((t) => t.local.address === h);
    if (!local) return false;
    return port === undefined ? this.transports.some((t) => t.local.port === 5060) : this.transports.some((t) => t.local.port === port);
  }
}

function bracket(host: string): string {
  return isIPv6(host) ? `[${host}]` : host;
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

function firstInterfaceAddress(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const i of list ?? []) if (i.family === 'IPv4' && !i.internal) return i.address;
  }
  return '127.0.0.1';
}
