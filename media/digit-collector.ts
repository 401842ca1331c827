import type { CollectOptions, CollectOutcome } from './types.js';
import type { DigitBuffer } from './digit-buffer.js';

/**
 * Collects digits from a DigitBuffer: buffered digits first, then new ones,
 * until maxDigits, a finish key, a timeout (first digit / between digits),
 * the caller's AbortSignal ('stopped') or the endpoint's end ('hangup').
 * Driver independent: any Endpoint implementation with a DigitBuffer uses it.
 */
export function collectDigits(
  buffer: DigitBuffer,
  opts: CollectOptions,
  hangup: AbortSignal,
): Promise<CollectOutcome> {
  const finishOnKey = opts.finishOnKey ?? '';
  const maxDigits = opts.maxDigits ?? Infinity;
  const interDigitMs = opts.interDigitTimeoutMs ?? opts.timeoutMs;
  if (opts.flush) buffer.clear();

  return new Promise<CollectOutcome>((resolve) => {
    let digits = '';
    let timer: NodeJS.Timeout | undefined;
    let done = false;

    const finish = (outcome: CollectOutcome): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      unsubscribe();
      opts.signal?.removeEventListener('abort', onAbort);
      hangup.removeEventListener('abort', onHangup);
      resolve(outcome);
    };
    const arm = (ms: number): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => finish({ reason: 'timeout', digits }), ms);
    };
    const drain = (): void => {
      for (let d = buffer.take(); d !== undefined && !done; d = done ? undefined : buffer.take()) {
        if (finishOnKey.includes(d)) {
          finish({ reason: 'digit', digits, terminator: d });
          return;
        }
        digits += d;
        if (digits.length >= maxDigits) {
          finish({ reason: 'finished', digits });
          return;
        }
        arm(interDigitMs);
      }
    };
    const onAbort = (): void => finish({ reason: 'stopped', digits });
    const onHangup = (): void => finish({ reason: 'hangup', digits });
    const unsubscribe = buffer.subscribe(drain);

    if (hangup.aborted) return onHangup();
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    hangup.addEventListener('abort', onHangup, { once: true });
    arm(opts.timeoutMs);
    drain();
  });
}
