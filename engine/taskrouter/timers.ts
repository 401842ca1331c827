/** Node's setTimeout runs a delay of at most 2^31-1 ms; longer ones are rearmed. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * Named one-shot timers at absolute times (a reservation's expiry, a
 * task's target timeout and time to live): setting a name again replaces
 * its timer, and every timer can be cleared at once when the workspace is
 * put away. Timers do not keep the process alive.
 */
export class Timers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  set(name: string, at: number, run: () => void): void {
    this.clear(name);
    this.arm(name, at, run);
  }

  clear(name: string): void {
    const t = this.timers.get(name);
    if (t !== undefined) {
      clearTimeout(t);
      this.timers.delete(name);
    }
  }

  clearAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  // The timer's details travel as setTimeout's arguments: no closure is made per timer (a task sets several).
  private arm(name: string, at: number, run: () => void): void {
    const delay = at - Date.now();
    const t = setTimeout(this.fire, Math.max(0, Math.min(delay, MAX_DELAY)), name, at, run, delay > MAX_DELAY);
    t.unref();
    this.timers.set(name, t);
  }

  private readonly fire = (name: string, at: number, run: () => void, clamped: boolean): void => {
    if (clamped) return this.arm(name, at, run);
    this.timers.delete(name);
    run();
  };
}
