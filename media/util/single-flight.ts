/**
 * Coalesces concurrent requests for the same key into one piece of work
 * (one download, one synthesis). Each caller may give up through its own
 * AbortSignal without disturbing the others; the shared work is aborted
 * only when every caller waiting for it has given up.
 */
interface Flight<V> {
  promise: Promise<V>;
  controller: AbortController;
  waiters: number;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

export class SingleFlight<K, V> {
  private readonly flights = new Map<K, Flight<V>>();

  /** Number of distinct pieces of work in progress. */
  get pending(): number {
    return this.flights.size;
  }

  run(key: K, work: (signal: AbortSignal) => Promise<V>, signal?: AbortSignal): Promise<V> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    let flight = this.flights.get(key);
    if (flight === undefined) {
      const controller = new AbortController();
      const created: Flight<V> = { controller, waiters: 0, promise: Promise.resolve().then(() => work(controller.signal)) };
      created.promise
        .finally(() => {
          if (this.flights.get(key) === created) this.flights.delete(key);
        })
        .catch(() => undefined);
      this.flights.set(key, created);
      flight = created;
    }
    const joined = flight;
    joined.waiters++;
    if (signal === undefined) return joined.promise;
    return new Promise<V>((resolve, reject) => {
      const onAbort = (): void => {
        if (--joined.waiters === 0) {
          if (this.flights.get(key) === joined) this.flights.delete(key);
          joined.controller.abort(abortReason(signal));
        }
        reject(abortReason(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      joined.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }
}
