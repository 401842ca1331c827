import type { SendTarget } from '../transport/types.js';

/** One client reachable over a connection it opened: where requests for its contact go. */
interface Flow {
  target: SendTarget;
  connectionId: string;
  expiresAt: number;
}

export interface RegisteredFlowsOptions {
  /** Most contacts remembered; the oldest go first when full (default 100 000). */
  maxEntries?: number;
  /** How often expired entries are swept (default 60 s). */
  sweepIntervalMs?: number;
  now?: () => number;
}

/**
 * Clients behind connections we cannot open ourselves (a browser's
 * WebSocket, a TCP client behind NAT): when an application accepts a
 * REGISTER or SUBSCRIBE that came over such a connection, the contact's
 * user@host is tied to that connection until the registration expires, so
 * that later requests to the contact reach it (as drachtio-server does; the
 * idea of RFC 5626 flows, without the Outbound extension's identifiers).
 * A closed connection drops its entries.
 */
export class RegisteredFlows {
  private readonly byContact = new Map<string, Flow>();
  /** How many contacts each connection carries. */
  private readonly perConnection = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;

  constructor(opts: RegisteredFlowsOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 100_000;
    this.now = opts.now ?? Date.now;
    this.timer = setInterval(() => this.sweep(), opts.sweepIntervalMs ?? 60_000);
    this.timer.unref();
  }

  /** Ties `user@host` to the connection `target` names for `expiresSec` seconds; 0 forgets it. */
  remember(user: string | undefined, host: string, expiresSec: number, target: SendTarget): void {
    const connectionId = target.connectionId;
    if (expiresSec <= 0 || !connectionId) {
      this.forget(user, host);
      return;
    }
    const key = contactKey(user, host);
    this.remove(key);
    if (this.byContact.size >= this.maxEntries) {
      this.sweep();
      const oldest = this.byContact.keys().next();
      if (this.byContact.size >= this.maxEntries && !oldest.done) this.remove(oldest.value);
    }
    this.byContact.set(key, { target: { ...target }, connectionId, expiresAt: this.now() + expiresSec * 1000 });
    this.perConnection.set(connectionId, (this.perConnection.get(connectionId) ?? 0) + 1);
  }

  forget(user: string | undefined, host: string): void {
    this.remove(contactKey(user, host));
  }

  /** Where a request for `user@host` goes, while its registration lasts. */
  find(user: string | undefined, host: string): SendTarget | undefined {
    const key = contactKey(user, host);
    const flow = this.byContact.get(key);
    if (!flow) return undefined;
    if (flow.expiresAt <= this.now()) {
      this.remove(key);
      return undefined;
    }
    return { ...flow.target };
  }

  /** True while some registered contact is reached over this connection. */
  holds(connectionId: string): boolean {
    return (this.perConnection.get(connectionId) ?? 0) > 0;
  }

  /** The connection closed: its contacts can no longer be reached. */
  dropConnection(connectionId: string): void {
    if (!this.holds(connectionId)) return;
    for (const [key, flow] of this.byContact) if (flow.connectionId === connectionId) this.remove(key);
  }

  get size(): number {
    return this.byContact.size;
  }

  sweep(): void {
    const now = this.now();
    for (const [key, flow] of this.byContact) if (flow.expiresAt <= now) this.remove(key);
  }

  destroy(): void {
    clearInterval(this.timer);
    this.byContact.clear();
    this.perConnection.clear();
  }

  private remove(key: string): void {
    const flow = this.byContact.get(key);
    if (!flow) return;
    this.byContact.delete(key);
    const n = (this.perConnection.get(flow.connectionId) ?? 1) - 1;
    if (n > 0) this.perConnection.set(flow.connectionId, n);
    else this.perConnection.delete(flow.connectionId);
  }
}

/** RFC 3261 §19.1.4: the host part compares case-insensitively, the user part exactly. */
function contactKey(user: string | undefined, host: string): string {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return user ? `${user}@${h}` : h;
}
