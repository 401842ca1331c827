import type { Endpoint } from '../../media/types.js';
import type { LeaveReason } from './participant.js';

export interface StayOptions {
  /** The caller's media: * with hangupOnStar takes it out. */
  endpoint: Endpoint;
  /** Fires when the participant leaves for a reason told by `removedFor` or the hangup signal (or else a redirect). */
  signal: AbortSignal;
  hangupSignal: AbortSignal;
  hangupOnStar: boolean;
  timeLimitSeconds: number;
  /** Why the conference took the participant out, if it did. */
  removedFor: () => LeaveReason | undefined;
}

/** Waits until a participant leaves its conference, and tells why: removed, hung up, redirected, * (hangupOnStar) or at timeLimit. */
export function waitToLeave(o: StayOptions): Promise<LeaveReason> {
  return new Promise<LeaveReason>((resolve) => {
    let timeUp = false;
    let star = false;
    const finish = (): void => {
      clearTimeout(timer);
      o.signal.removeEventListener('abort', finish);
      o.endpoint.off('dtmf', onDigit);
      const removed = o.removedFor();
      if (removed) resolve(removed);
      else if (o.hangupSignal.aborted) resolve('hangup');
      else if (star) resolve('star');
      else if (timeUp) resolve('time-limit');
      else resolve('redirected');
    };
    const onDigit = (e: { digit: string }): void => {
      if (!o.hangupOnStar || e.digit !== '*') return;
      star = true;
      finish();
    };
    const timer = setTimeout(() => {
      timeUp = true;
      finish();
    }, o.timeLimitSeconds * 1000);
    if (o.signal.aborted) return finish();
    o.signal.addEventListener('abort', finish, { once: true });
    o.endpoint.on('dtmf', onDigit);
  });
}
