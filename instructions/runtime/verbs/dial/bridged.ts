import type { DtmfEvent, Endpoint } from '../../../../media/types.js';
import type { CallControl, DialLeg } from '../../call-control.js';

/** Why a bridged Dial ended. */
export type BridgeEnd = 'callee-hangup' | 'caller-gone' | 'time-limit' | 'hangup-on-star';

export interface BridgeOptions {
  caller: Endpoint;
  /** The other party: a called party, or a caller taken from a queue. */
  leg: Pick<DialLeg, 'endpoint'> & { control: Pick<CallControl, 'hangupSignal'> };
  /** The caller left, or the call was redirected. */
  signal: AbortSignal;
  timeLimitSeconds: number;
  hangupOnStar: boolean;
}

/**
 * Connects the caller and the called party and waits for the first of:
 * the called party hangs up, the caller leaves (or a redirect), the time
 * limit, or the caller pressing * with hangupOnStar. Unbridges before
 * returning; hanging up the called party is the caller's job.
 */
export async function stayBridged(opts: BridgeOptions): Promise<BridgeEnd> {
  const { caller, leg } = opts;
  if (opts.signal.aborted) return 'caller-gone';
  if (leg.control.hangupSignal.aborted) return 'callee-hangup';
  await caller.bridge(leg.endpoint);
  const ended = await new Promise<BridgeEnd>((resolve) => {
    const cleanups: (() => void)[] = [];
    const finish = (how: BridgeEnd): void => {
      for (const c of cleanups) c();
      resolve(how);
    };
    const onCallerGone = (): void => finish('caller-gone');
    const onCalleeGone = (): void => finish('callee-hangup');
    opts.signal.addEventListener('abort', onCallerGone, { once: true });
    leg.control.hangupSignal.addEventListener('abort', onCalleeGone, { once: true });
    cleanups.push(() => opts.signal.removeEventListener('abort', onCallerGone));
    cleanups.push(() => leg.control.hangupSignal.removeEventListener('abort', onCalleeGone));
    const timer = setTimeout(() => finish('time-limit'), opts.timeLimitSeconds * 1000);
    cleanups.push(() => clearTimeout(timer));
    if (opts.hangupOnStar) {
      const onDigit = (e: DtmfEvent): void => {
        if (e.digit === '*') finish('hangup-on-star');
      };
      caller.on('dtmf', onDigit);
      cleanups.push(() => caller.off('dtmf', onDigit));
    }
  });
  await caller.unbridge().catch(() => undefined);
  return ended;
}
