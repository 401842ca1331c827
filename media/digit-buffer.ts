/**
 * Per-endpoint DTMF digit buffer. Every detected digit is appended here;
 * collectDigits consumes from the front. A digit that barges in on a prompt
 * stays in the buffer, so a digit collection that follows the prompt (a
 * Gather) starts with it.
 */
export class DigitBuffer {
  private queue: string[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(private readonly capacity = 128) {}

  push(digit: string): void {
    this.queue.push(digit);
    if (this.queue.length > this.capacity) this.queue.shift();
    for (const l of this.listeners) l();
  }

  /** Removes and returns the oldest digit. */
  take(): string | undefined {
    return this.queue.shift();
  }

  get size(): number {
    return this.queue.length;
  }

  clear(): void {
    this.queue = [];
  }

  /** Calls fn after each push; returns the unsubscribe function. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
