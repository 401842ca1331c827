import { endLostConferences } from '../conferences/lost-conferences.js';
import type { Logger } from 'pino';
import { endLostCalls } from '../calls/orphaned-calls.js';
import type { StateStore, StoredCall } from '../store/types.js';
import type { EventStream } from '../events/event-stream.js';

/** How often an engine looks for lost ones: a lost engine is ended within lease time + two looks (at most 5 s). */
/** The lease an engine of a cluster holds while it runs. */
export function engineLeaseName(engineId: string): string {
  return `engine:${engineId}`;
}

export function watchIntervalMs(leaseMs: number): number {
  return Math.max(100, Math.min(2500, Math.floor(leaseMs / 2)));
}

/**
 * Engines of a cluster watch over each other. Each holds a lease,
 * `engine:{id}`, renewed three times per lease time. Every half lease time
 * (2.5 s at most) each engine looks for engines that have unfinished calls
 * in the store but no lease: such an engine was lost (killed, its machine
 * gone). One
 * survivor, the one that takes the lease `reap:{id}`, ends the lost
 * engine's calls in the store and sends their completed status callbacks,
 * so each goes out once.
 */
export class EngineLiveness {
  private renewTimer: NodeJS.Timeout | undefined;
  private watchTimer: NodeJS.Timeout | undefined;
  private watching: Promise<unknown> | undefined;
  private holding = false;
  /** Engines seen without a lease at the last look (taken for lost at the next, if still so). */
  private missing = new Set<string>();
  /** This engine could not renew its own lease since the last look: the store was away, so others may look lost too. */
  private renewFailed = false;

  constructor(
    private readonly store: StateStore,
    private readonly engineId: string,
    private readonly leaseMs: number,
    private readonly deps: { events: EventStream; log: Logger },
  ) {}

  /** Takes this engine's lease; refuses to start when a running engine already has this id. */
  async start(): Promise<void> {
    if (!(await this.store.leases.acquire(this.leaseName(this.engineId), this.engineId, this.leaseMs))) {
      throw new Error(`another running engine has the id ${this.engineId} (its lease is held): give each engine its own engineId`);
    }
    this.holding = true;
    this.renewTimer = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.leaseMs / 3))).unref();
    this.watchTimer = setInterval(() => {
      this.watching ??= this.watch().finally(() => (this.watching = undefined));
    }, watchIntervalMs(this.leaseMs)).unref();
  }

  /** Stops renewing and gives the lease up (a clean stop: this engine's calls have ended). */
  async stop(): Promise<void> {
    clearInterval(this.renewTimer);
    clearInterval(this.watchTimer);
    await this.watching;
    if (this.holding) await this.store.leases.release(this.leaseName(this.engineId), this.engineId).catch(() => undefined);
    this.holding = false;
  }

  /**
   * Looks once for lost engines and ends the calls of those this engine is
   * the one to clean up after. An engine is taken for lost when two looks
   * in a row find it without a lease and this engine kept its own lease in
   * between: after a Redis outage every engine renews within a third of the
   * lease time, so none is taken for lost merely because Redis was away.
   */
  async watch(): Promise<StoredCall[]> {
    const ended: StoredCall[] = [];
    const seenBefore = this.renewFailed ? new Set<string>() : this.missing;
    this.renewFailed = false;
    this.missing = new Set();
    try {
      for (const other of await this.store.calls.unfinishedEngines()) {
        if (other === this.engineId || (await this.store.leases.holder(this.leaseName(other))) !== undefined) continue;
        this.missing.add(other);
        if (!seenBefore.has(other)) continue;
        // Held until it lapses: a second survivor finds the calls already ended.
        if (!(await this.store.leases.acquire(`reap:${other}`, this.engineId, 60_000))) continue;
        const calls = await endLostCalls(this.store.calls, other, `engine ${other} was lost (no lease for ${this.leaseMs} ms)`, this.deps);
        this.store.calls.forgetEngine(other);
        await endLostConferences(this.store.conferences, other, `engine ${other} was lost`, this.deps.log);
        if (calls.length > 0) this.deps.log.warn({ lostEngine: other, calls: calls.length }, 'ended the calls of a lost engine');
        ended.push(...calls);
      }
    } catch (err) {
      this.deps.log.warn({ reason: (err as Error).message }, 'could not look for lost engines');
    }
    return ended;
  }

  private async renew(): Promise<void> {
    try {
      if (!(await this.store.leases.acquire(this.leaseName(this.engineId), this.engineId, this.leaseMs))) {
        this.deps.log.error({ engineId: this.engineId }, "this engine's lease is held by another: another engine may end its calls");
      }
    } catch (err) {
      this.renewFailed = true;
      this.deps.log.warn({ reason: (err as Error).message }, "this engine's lease could not be renewed");
    }
  }

  private leaseName(engineId: string): string {
    return engineLeaseName(engineId);
  }
}
