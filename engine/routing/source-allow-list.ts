import { BlockList, isIP } from 'node:net';

/**
 * The addresses allowed to send calls in, as IP addresses and CIDR blocks of
 * either family. An empty list allows everyone. IPv4-mapped IPv6 addresses
 * (::ffff:a.b.c.d) match their IPv4 rules.
 */
export class SourceAllowList {
  private readonly list = new BlockList();
  readonly empty: boolean;

  /** Throws on an entry that is not an address or CIDR block (the config schema checks them first). */
  constructor(entries: readonly string[]) {
    this.empty = entries.length === 0;
    for (const entry of entries) {
      const [address = '', prefix] = entry.split('/');
      const family = isIP(address);
      if (family === 0) throw new Error(`"${entry}" is not an IP address or CIDR block`);
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) this.list.addAddress(address, type);
      else this.list.addSubnet(address, Number(prefix), type);
    }
  }

  allows(address: string): boolean {
    if (this.empty) return true;
    const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
    const family = isIP(bare);
    if (family === 0) return false;
    return this.list.check(bare, family === 4 ? 'ipv4' : 'ipv6');
  }
}
