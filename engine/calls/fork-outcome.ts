import type { UnansweredKind } from '../outbound/call-outcome.js';

/** How one branch of a forked call ended without being answered. */
export interface ForkFailure {
  kind: UnansweredKind;
  sipStatus?: number;
  reason: string;
}

/**
 * What a forked call reports when no branch answered, after RFC 3261 §16.7
 * step 6 (choosing the best response) in the call statuses of TwiML:
 *
 * - canceled when our side stopped it (the caller left, the Dial was redirected);
 * - a 6xx wins over everything (600 Busy Everywhere / 603 Decline are busy,
 *   other 6xx failed): the user refused the call on one device for all;
 * - no-answer when any contact rang out (or the Dial timeout cancelled it);
 * - busy only when every contact that answered with a status said busy
 *   (a contact that could not be reached at all, without a SIP status,
 *   neither makes nor breaks it);
 * - failed otherwise.
 */
export function combinedForkStatus(failures: readonly ForkFailure[], stopped: boolean): ForkFailure {
  if (stopped) return failures.find((f) => f.kind === 'canceled') ?? { kind: 'canceled', reason: 'canceled by the caller' };
  const global = failures.find((f) => f.sipStatus !== undefined && f.sipStatus >= 600);
  if (global) return global;
  const rangOut = failures.find((f) => f.kind === 'no-answer');
  if (rangOut) return rangOut;
  const withStatus = failures.filter((f) => f.sipStatus !== undefined && f.kind !== 'canceled');
  if (withStatus.length > 0 && withStatus.every((f) => f.kind === 'busy')) return withStatus[0]!;
  const failed = failures.find((f) => f.kind === 'failed' && f.sipStatus !== undefined) ?? failures.find((f) => f.kind === 'failed');
  return failed ?? failures[0] ?? { kind: 'failed', reason: 'no contact could be called' };
}
