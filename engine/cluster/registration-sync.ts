import type { Logger } from 'pino';
import type { SipRegistrar } from '../registrar/sip-registrar.js';
import type { Binding } from '../registrar/registrar.js';
import type { StateStore } from '../store/types.js';

const CHANNEL = 'registrations';
const EXPIRY_LEASE = 'registrar:expiry';

/**
 * The registrar's bindings kept in the store: every change a REGISTER makes
 * is written there and announced on the bus, and the other engines of a
 * cluster read the user's bindings again, so a phone registered through any
 * engine is reached from every one. Reads stay in memory (a Dial does not
 * wait for the store). At start the engine loads what the store holds
 * (with the embedded store: the registrations from before a restart).
 * One engine at a time, the holder of a lease, reports expired
 * registrations to the presence callback.
 */
export class RegistrationSync {
  private unsubscribe: (() => void) | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private reporting: boolean;

  constructor(
    private readonly store: StateStore,
    private readonly engineId: string,
    private readonly leaseMs: number,
    private readonly log: Logger,
  ) {
    // Alone on its store, an engine reports every expiry itself.
    this.reporting = store.kind === 'embedded';
  }

  /** For SipRegistrar's onUpdate. */
  readonly changed = (username: string, bindings: readonly Binding[]): void => {
    this.store.registrations.put(username, bindings);
    this.store.bus.publish(CHANNEL, JSON.stringify({ engineId: this.engineId, username }));
  };

  /** For SipRegistrar's reportsExpiry. */
  readonly reportsExpiry = (): boolean => this.reporting;

  async start(registrar: SipRegistrar): Promise<void> {
    const all = await this.store.registrations.all();
    for (const [username, bindings] of all) registrar.applyShared(username, bindings);
    if (all.size > 0) this.log.info({ users: all.size }, 'registrations loaded from the store');
    this.unsubscribe = await this.store.bus.subscribe(CHANNEL, (text) => {
      let change: { engineId?: unknown; username?: unknown };
      try {
        change = JSON.parse(text) as typeof change;
      } catch {
        return;
      }
      if (change.engineId === this.engineId || typeof change.username !== 'string') return;
      const username = change.username;
      this.store.registrations.get(username).then(
        (bindings) => registrar.applyShared(username, bindings),
        (err: Error) => this.log.warn({ username, reason: err.message }, "another engine's registration change could not be read"),
      );
    });
    if (this.store.kind !== 'embedded') {
      await this.holdExpiryLease();
      this.leaseTimer = setInterval(() => void this.holdExpiryLease(), Math.max(100, Math.floor(this.leaseMs / 3))).unref();
    }
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.leaseTimer);
    if (this.reporting && this.store.kind !== 'embedded') await this.store.leases.release(EXPIRY_LEASE, this.engineId).catch(() => undefined);
  }

  private async holdExpiryLease(): Promise<void> {
    try {
      this.reporting = await this.store.leases.acquire(EXPIRY_LEASE, this.engineId, this.leaseMs);
    } catch {
      // Redis away: keep what we had; the lease lapses elsewhere too.
    }
  }
}
