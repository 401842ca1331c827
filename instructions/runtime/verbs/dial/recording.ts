import type { Logger } from 'pino';
import type { DialRecordMode } from '../../../verbs/dial.js';
import type { Endpoint, RecordOutcome } from '../../../../media/types.js';
import type { CallControl, RecordingTarget } from '../../call-control.js';

/** A Dial recording in progress: each side to a file of its own, joined when it stops. */
export interface DialRecording {
  /** Stops both sides and makes the recording; undefined when nothing could be saved. */
  finish(): Promise<{ target: RecordingTarget; durationSeconds: number; channels: 1 | 2 } | undefined>;
}

/**
 * Starts recording both sides of a bridged Dial (record-from-answer and
 * the ringing variants, which dialtone starts at answer too: nothing is
 * heard before). The two files are mixed into one channel, or kept as two
 * channels (caller first) for the -dual modes.
 */
export function startDialRecording(mode: DialRecordMode, caller: Endpoint, callee: Endpoint, control: CallControl, log: Logger): DialRecording | undefined {
  if (mode === 'do-not-record') return undefined;
  const channels: 1 | 2 = mode.endsWith('-dual') ? 2 : 1;
  const target = control.newRecording();
  const stop = new AbortController();
  const parts = [`${target.path}.caller.wav`, `${target.path}.callee.wav`];
  const sides = [caller, callee].map((endpoint, i) =>
    endpoint.record({ path: parts[i]!, signal: stop.signal }).catch((err: unknown): RecordOutcome | undefined => {
      log.warn({ reason: (err as Error).message, side: i === 0 ? 'caller' : 'callee' }, 'Dial recording failed');
      return undefined;
    }),
  );
  return {
    async finish() {
      stop.abort();
      const outcomes = await Promise.all(sides);
      if (outcomes.some((o) => o === undefined)) return undefined;
      try {
        const { durationMs } = await control.saveMixedRecording(parts, target, { channels, source: 'DialVerb' });
        return { target, durationSeconds: Math.round(durationMs / 1000), channels };
      } catch (err) {
        log.warn({ reason: (err as Error).message, recordingSid: target.sid }, 'Dial recording could not be saved');
        return undefined;
      }
    },
  };
}
