import type { DocumentSource } from './call-control.js';

/**
 * New instructions for a running call from outside its documents (the REST
 * API's redirect). push() stops the verb that runs (through `signal`) and
 * leaves the new document for the interpreter to take; the latest push
 * wins.
 */
export class RedirectChannel {
  private controller = new AbortController();
  private pending: DocumentSource | undefined;

  /** Fires when a redirect is waiting; a fresh signal after each take(). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get waiting(): boolean {
    return this.pending !== undefined;
  }

  push(source: DocumentSource): void {
    this.pending = source;
    if (!this.controller.signal.aborted) this.controller.abort();
  }

  /** The waiting redirect, if any; re-arms the signal. */
  take(): DocumentSource | undefined {
    const source = this.pending;
    this.pending = undefined;
    if (this.controller.signal.aborted) this.controller = new AbortController();
    return source;
  }
}
