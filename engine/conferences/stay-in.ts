import type { ConferenceJoinRequest } from '../../instructions/runtime/call-control.js';
import type { LeaveReason } from './participant.js';

/** How the conference takes a participant out: a signal, and the reason once it has fired. */
export interface Removal {
  signal: AbortSignal;
  reason: () => LeaveReason | undefined;
}

/**
 * Waits until a participant leaves its conference, and tells why: removed
 * (the removal's reason), hung up, * with hangupOnStar, timeLimit, or else
 * redirected (the request's signal fired).
 */
export function waitToLeave(
  req: Pick<ConferenceJoinRequest, 'endpoint' | 'signal' | 'hangupOnStar' | 'timeLimitSeconds'>,
  hangupSignal: AbortSignal,
  removal: Removal,
): Promise<LeaveReason> {
  const signal = AbortSignal.any([req.signal, removal.signal]);
  return new Promise<LeaveReason>((resolve) => {
    let timeUp = false;
    let star = false;
    const finish = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      req.endpoint.off('dtmf', onDigit);
      const removed = removal.reason();
      if (removed) resolve(removed);
      else if (hangupSignal.aborted) resolve('hangup');
      else if (star) resolve('star');
      else if (timeUp) resolve('time-limit');
      else resolve('redirected');
    };
    const onDigit = (e: { digit: string }): void => {
      if (!req.hangupOnStar || e.digit !== '*') return;
      star = true;
      finish();
    };
    const timer = setTimeout(() => {
      timeUp = true;
      finish();
    }, req.timeLimitSeconds * 1000);
    if (signal.aborted) return finish();
    signal.addEventListener('abort', finish, { once: true });
    req.endpoint.on('dtmf', onDigit);
  });
}
