import type { Logger } from 'pino';
import type { Leases } from '../store/types.js';

/**
 * One engine of a cluster doing one job at a time: the engine that holds
 * lease `name` does it, the others try for the lease three times per lease
 * time and take over once it lapses (its holder stopped or was lost).
 * A holder that cannot renew (the store is away, or another took the lease)
 * stops the job before its lease can lapse, so two engines never do it at
 * once: `lost` runs a third of the lease time before the last renewal's
 * lease would end.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private held = false;
  private lastRenewal = 0;
  private turn: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly leases: Leases,
    private readonly name: string,
    private readonly holder: string,
    private readonly ttlMs: number,
    private readonly job: { gained(): Promise<void>; lost(): void },
    private readonly log: Logger,
  ) {}

  /** Whether this engine holds the lease and its job has started. */
  get holds(): boolean {
    return this.held;
  }

  /** Tries for the lease once now (the job has started when this resolves with the lease), then on a timer. */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => {
      this.turn ??= this.tick().finally(() => (this.turn = undefined));
    }, Math.max(50, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  /** Who holds the lease now (this engine's holder name when it does). */
  current(): Promise<string | undefined> {
    return this.leases.holder(this.name);
  }

  /** Stops trying; a held lease ends its job and is given up, for another engine to take at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.turn;
    if (!this.held) return;
    this.held = false;
    this.job.lost();
    await this.leases.release(this.name, this.holder).catch(() => undefined);
  }

  private async tick(): Promise<void> {
    let got: boolean;
    try {
      got = await this.leases.acquire(this.name, this.holder, this.ttlMs);
    } catch (err) {
      // Without an answer the lease may still be ours; past two thirds of its time it may not be.
      if (this.held && Date.now() - this.lastRenewal > (this.ttlMs * 2) / 3) this.lose(`the store did not answer (${(err as Error).message})`);
      return;
    }
    if (this.stopped) return;
    if (got) {
      this.lastRenewal = Date.now();
      if (this.held) return;
      this.log.info({ lease: this.name }, 'this engine took the lease and starts its job');
      try {
        await this.job.gained();
        // Held (and so answering for the job) only once the job has started.
        this.held = true;
      } catch (err) {
        this.log.error({ err, lease: this.name }, 'the job of a lease did not start; the lease is given up');
        this.job.lost();
        await this.leases.release(this.name, this.holder).catch(() => undefined);
      }
    } else if (this.held) {
      this.lose('another engine holds it');
    }
  }

  private lose(reason: string): void {
    this.held = false;
    this.log.warn({ lease: this.name, reason }, 'this engine lost the lease and stops its job');
    this.job.lost();
  }
}
