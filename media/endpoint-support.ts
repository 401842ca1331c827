import type { EventEmitter } from 'node:events';
import { MediaError } from './errors.js';
import type { PlayOutcome } from './types.js';

/** What endpoints log through. */
export type EndpointLog = (level: 'warn', msg: string, fields: Record<string, unknown>) => void;

/**
 * Runs a load (a fetch, a synthesis) that the caller's signal or the
 * endpoint's destruction can cancel: undefined when cancelled, and any
 * other failure as a MediaError ('bad-audio' unless it is one already).
 */
export async function cancellableLoad<T>(
  life: AbortSignal,
  signal: AbortSignal | undefined,
  fn: (s: AbortSignal) => Promise<T>,
): Promise<T | undefined> {
  const s = signal ? AbortSignal.any([signal, life]) : life;
  if (s.aborted) return undefined;
  try {
    return await fn(s);
  } catch (err) {
    if (s.aborted) return undefined;
    throw err instanceof MediaError ? err : new MediaError('bad-audio', (err as Error).message, { cause: err });
  }
}

/** The outcome of a prompt that ended before it started: hung up, or stopped. */
export function endedEarly(destroyed: boolean): PlayOutcome {
  return { reason: destroyed ? 'hangup' : 'stopped', playedMs: 0 };
}

export function assertAlive(destroyed: boolean): void {
  if (destroyed) throw new MediaError('destroyed', 'the endpoint was destroyed');
}

/** Emits an endpoint event; a listener that throws is logged and never reaches the media path. */
export function emitSafely(emitter: EventEmitter, log: EndpointLog, callId: string | undefined, event: string, ...args: unknown[]): void {
  try {
    emitter.emit(event, ...args);
  } catch (err) {
    log('warn', 'media event listener threw', { event, callId, err: String(err) });
  }
}
